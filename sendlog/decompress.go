package sendlog

import "bufio"

// Decompress returns a reader of the decompressed stream when br starts
// with the magic bytes of gzip (1f 8b) or bzip2 ("BZh1".."BZh9"), whatever
// the file's name, else br itself. Past maxInflate bytes the stream may
// grow only to MaxRatio times the compressed bytes read; beyond, a read
// fails with ErrBomb. It is what Read uses, for other readers of raw mail
// logs (package backfill).
func Decompress(br *bufio.Reader, maxInflate int64) (*bufio.Reader, error) {
	return decompress(br, maxInflate)
}
