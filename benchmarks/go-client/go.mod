module ratestream/go-client

go 1.19
