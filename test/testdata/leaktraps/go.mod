module leaktraps

go 1.19
