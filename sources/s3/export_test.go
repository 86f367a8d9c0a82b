package s3

// SetMultipart lowers the multipart threshold and part size so tests can
// exercise multipart uploads with small bodies; it returns the undo.
func SetMultipart(threshold, part int64) (undo func()) {
	t, p := multipartThreshold, partSize
	multipartThreshold, partSize = threshold, part
	return func() { multipartThreshold, partSize = t, p }
}
