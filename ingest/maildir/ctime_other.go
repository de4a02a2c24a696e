//go:build !linux

package maildir

import (
	"os"
	"time"
)

// ctime is, where the inode change time is not read (see ctime_linux.go),
// the modification time.
func ctime(path string) (time.Time, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return time.Time{}, err
	}
	return fi.ModTime(), nil
}
