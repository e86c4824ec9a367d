pipe round trip: 100 iterations, \d+ ns total, \d+ ns per operation
pipe throughput: 1048576 bytes, \d+ ns total, \d+ MB/s
