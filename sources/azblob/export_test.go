package azblob

// SetBlocks lowers the single-upload limit and block size so tests can
// exercise staged blocks with small bodies; it returns the undo.
func SetBlocks(limit, block int64) (undo func()) {
	l, b := singleUploadLimit, blockSize
	singleUploadLimit, blockSize = limit, block
	return func() { singleUploadLimit, blockSize = l, b }
}
