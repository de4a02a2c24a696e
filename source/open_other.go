//go:build !linux

package source

import "os"

// openFile opens p for reading; regular says the caller knows p to be a
// regular file.
func openFile(p string, regular bool) (openedFile, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	return &osFile{File: f}, nil
}
