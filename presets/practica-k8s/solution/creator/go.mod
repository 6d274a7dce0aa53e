module creator

go 1.22
