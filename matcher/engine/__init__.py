"""The ranking engine: the columnar snapshot, its bit index, the compiled query and kernels."""
