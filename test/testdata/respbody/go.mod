module respbody

go 1.19
