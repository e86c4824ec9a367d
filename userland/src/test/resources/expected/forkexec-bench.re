fork\+exec\+wait: 20 iterations, \d+ ns total, \d+ ns per operation
