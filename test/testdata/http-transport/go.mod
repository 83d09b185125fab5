module httptransport

go 1.19
