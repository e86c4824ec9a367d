distinct cpus: [12]
lock xadd total: 40000 of 40000
lock cmpxchg total: 40000 of 40000
mutex total: 626 of 626
stale reads: 0
ok
