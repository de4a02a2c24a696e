//go:build linux

package source

import (
	"io"
	"io/fs"
	"os"
	"syscall"
	"time"
)

// openFile opens p for reading. A regular file is read through its bare
// descriptor: os.Open on Linux also tries to register every file with the
// runtime's poller (fcntl to set and clear O_NONBLOCK, an epoll_ctl that
// fails for regular files) and sets a finalizer, which made the system
// calls of opening a file more than half of what reading a small message
// costs (BenchmarkDecodeCLI: ten calls per message where open, two reads
// and close do). regular says the caller knows p to be a regular file
// (from its directory entry or a stat): then fstat(2) is called only when
// the size or the modification time is asked for. Anything else (a named
// pipe, a device) goes through os.File.
func openFile(p string, regular bool) (openedFile, error) {
	var fd int
	var err error
	for {
		fd, err = syscall.Open(p, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: p, Err: err}
	}
	f := &rawFile{fd: fd, name: p}
	if regular {
		return f, nil
	}
	if !f.stat() || f.st.Mode&syscall.S_IFMT != syscall.S_IFREG {
		return &osFile{File: os.NewFile(uintptr(fd), p)}, nil
	}
	return f, nil
}

// rawFile reads a regular file's descriptor with read(2).
type rawFile struct {
	fd     int
	name   string
	st     syscall.Stat_t
	stated bool // st holds what fstat said
}

func (f *rawFile) Read(b []byte) (int, error) {
	if len(b) == 0 {
		return 0, nil
	}
	for {
		n, err := syscall.Read(f.fd, b)
		switch {
		case err == syscall.EINTR:
			continue
		case err != nil:
			return 0, &fs.PathError{Op: "read", Path: f.name, Err: err}
		case n == 0:
			return 0, io.EOF
		}
		return n, nil
	}
}

func (f *rawFile) Close() error {
	return syscall.Close(f.fd)
}

// stat fills f.st once; false if fstat failed.
func (f *rawFile) stat() bool {
	if !f.stated {
		for {
			err := syscall.Fstat(f.fd, &f.st)
			if err == syscall.EINTR {
				continue
			}
			if err != nil {
				return false
			}
			break
		}
		f.stated = true
	}
	return true
}

func (f *rawFile) size() int64 {
	if !f.stat() {
		return -1
	}
	return f.st.Size
}

func (f *rawFile) modTime() time.Time {
	if !f.stat() {
		return time.Time{}
	}
	return time.Unix(f.st.Mtim.Unix())
}
