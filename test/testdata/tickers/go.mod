module tickers

go 1.19
