//go:build !amd64 || purego

package structure

// eachKernel runs f once: without the amd64 kernels, Scan is the byte
// loop (scanner_amd64_test.go runs f with each kernel).
func eachKernel(f func(kernel string)) { f("bytes") }
