package basic

// Total is declared in another file than the loop that assigns it.
var Total int
