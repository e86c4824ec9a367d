getpid: 1000 iterations, \d+ ns total, \d+ ns per operation
