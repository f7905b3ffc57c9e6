long blas_zero(void) { return 0; }
