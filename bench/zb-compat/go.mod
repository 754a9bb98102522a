module berth.invalid/bench/zb-compat

go 1.24
