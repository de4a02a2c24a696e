//go:build !unix

package source

import (
	"io"
	"os"
)

// openFile opens p for reading and tells what fstat(2) says of it.
func openFile(p string) (io.ReadCloser, fileInfo, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, fileInfo{}, err
	}
	fi := fileInfo{size: -1}
	if s, err := f.Stat(); err == nil {
		if s.Mode().IsRegular() {
			fi.size = s.Size()
		}
		fi.modTime = s.ModTime()
	}
	return f, fi, nil
}
