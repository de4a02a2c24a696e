// Package maildir watches a Maildir (its new/ and cur/ folders, with
// fsnotify) and hands each message to an [ingest.Sink] once.
//
// A message's Position is its Maildir unique name without the ":2,flags"
// info suffix (the Maildir specification, cr.yp.to/proto/maildir.html), so
// a mail client that renames it from new/ to cur/, or changes its flags,
// still has the same message. Its Arrival is the unique name's leading
// Unix seconds (what Postfix, Dovecot and qmail write), else the file's
// modification time.
//
// On start the folders are scanned; then each file that appears is read at
// once, and a rescan every minute catches what the kernel's notification
// queue may have dropped. The cursor (see [ingest.Cursors]) is a time
// before which every file (by inode change time, which a rename updates)
// is stored, so a restart reads only what came since. A file that vanishes
// between the listing and the reading was moved by a client and is read
// under its new name; a file that cannot be read, or that the sink does
// not take, is shown in Health and tried again.
package maildir

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/bouncewatch/bouncewatch/ingest"
)

// Options configures a [Watcher].
type Options struct {
	// Dir is the Maildir (the folder holding new/, cur/ and tmp/); required.
	Dir string
	// Name is the source's name; default "maildir:" + Dir.
	Name string
	// Sink receives the messages (required).
	Sink ingest.Sink
	// Cursors keeps the resume point; nil reads the whole Maildir at each
	// start (the sink drops what it has).
	Cursors ingest.Cursors
	// Logger; default slog.Default().
	Logger *slog.Logger
	// Rescan is how often the folders are listed again; default 1 min.
	Rescan time.Duration
	// Retry is how soon a message that failed is tried again; default 5 s.
	Retry time.Duration
	// Backoff between restarts when the Maildir cannot be watched.
	Backoff ingest.Backoff
}

// Watcher is a live Maildir source. It implements [ingest.Source].
type Watcher struct {
	o      Options
	log    *slog.Logger
	status *ingest.Status

	// Only the Run goroutine touches these.
	watermark time.Time        // files changed before it are stored
	seen      map[string]int64 // unique name -> inode change time (ns) when stored
	failed    map[string]failure
	margin    time.Duration
}

type failure struct {
	path  string
	since time.Time
}

// margin covers file systems whose time stamps are coarse and files
// changed while a scan lists the folder.
const margin = 2 * time.Second

// New checks o and returns the watcher.
func New(o Options) (*Watcher, error) {
	if o.Dir == "" {
		return nil, errors.New("maildir: no directory")
	}
	if o.Sink == nil {
		return nil, errors.New("maildir: no sink")
	}
	if o.Name == "" {
		o.Name = "maildir:" + o.Dir
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Rescan <= 0 {
		o.Rescan = time.Minute
	}
	if o.Retry <= 0 {
		o.Retry = 5 * time.Second
	}
	return &Watcher{o: o, log: o.Logger.With("source", o.Name), status: ingest.NewStatus(o.Name, "maildir"),
		seen: map[string]int64{}, failed: map[string]failure{}, margin: margin}, nil
}

// Name returns the source's name.
func (w *Watcher) Name() string { return w.o.Name }

// Health tells how the watcher is doing.
func (w *Watcher) Health() ingest.Health { return w.status.Health() }

// Run watches until ctx is done; a Maildir that is missing or cannot be
// watched is retried with backoff.
func (w *Watcher) Run(ctx context.Context) error {
	ingest.Reconnect(ctx, w.status, w.log, "maildir watch failed; retrying", w.o.Backoff, w.watch)
	return nil
}

func (w *Watcher) watch(ctx context.Context, bo *ingest.Backoff) error {
	if w.watermark.IsZero() && w.o.Cursors != nil {
		s, err := w.o.Cursors.Cursor(ctx, w.o.Name)
		if err != nil {
			return fmt.Errorf("reading cursor: %w", err)
		}
		if ns, err := strconv.ParseInt(strings.TrimPrefix(s, "ctime:"), 10, 64); err == nil && s != "" {
			w.watermark = time.Unix(0, ns)
		}
	}
	fw, err := fsnotify.NewWatcher()
	if err != nil {
		return fmt.Errorf("maildir: %w", err)
	}
	defer fw.Close()
	for _, sub := range []string{"new", "cur"} {
		d := filepath.Join(w.o.Dir, sub)
		if err := fw.Add(d); err != nil {
			return fmt.Errorf("maildir: watching %s: %w", d, err)
		}
	}
	w.status.SetConnected(true)
	if w.scan(ctx) {
		w.status.ClearError()
	}
	bo.Reset()

	rescan := time.NewTicker(w.o.Rescan)
	defer rescan.Stop()
	retry := time.NewTicker(w.o.Retry)
	defer retry.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-fw.Events:
			if !ok {
				return errors.New("maildir: watcher closed")
			}
			// A file renamed into new/ or cur/ comes as Create too.
			if ev.Has(fsnotify.Create) {
				w.handle(ctx, ev.Name)
			}
		case err, ok := <-fw.Errors:
			if !ok {
				return errors.New("maildir: watcher closed")
			}
			// An overflowed event queue: list the folders again.
			w.log.Warn("maildir watch error; rescanning", "err", err)
			w.scan(ctx)
		case <-retry.C:
			if len(w.failed) > 0 {
				w.retryFailed(ctx)
			}
		case <-rescan.C:
			w.scan(ctx)
		}
	}
}

// scan lists new/ and cur/ and handles every file changed since the
// watermark; when all is stored it moves the watermark and saves it. It
// reports whether nothing failed.
func (w *Watcher) scan(ctx context.Context) bool {
	start := time.Now()
	var files []fileInfo
	for _, sub := range []string{"new", "cur"} {
		d := filepath.Join(w.o.Dir, sub)
		ents, err := os.ReadDir(d)
		if err != nil {
			w.status.Failed(fmt.Errorf("maildir: listing %s: %w", d, err))
			return false
		}
		for _, e := range ents {
			if e.IsDir() || strings.HasPrefix(e.Name(), ".") {
				continue
			}
			p := filepath.Join(d, e.Name())
			ct, err := ctime(p)
			if errors.Is(err, fs.ErrNotExist) {
				continue // moved meanwhile; seen under its new name
			} else if err != nil {
				ct = time.Now() // unreadable: handle reports it
			}
			if !w.watermark.IsZero() && ct.Before(w.watermark) {
				continue
			}
			files = append(files, fileInfo{p, ct})
		}
	}
	sort.Slice(files, func(i, j int) bool { return files[i].ctime.Before(files[j].ctime) })
	for _, f := range files {
		if ctx.Err() != nil {
			return false
		}
		w.handle(ctx, f.path)
	}
	if len(w.failed) > 0 || ctx.Err() != nil {
		return false
	}
	w.watermark = start.Add(-w.margin)
	if w.o.Cursors != nil {
		if err := w.o.Cursors.SetCursor(ctx, w.o.Name, "ctime:"+strconv.FormatInt(w.watermark.UnixNano(), 10)); err != nil {
			w.status.Failed(fmt.Errorf("saving cursor: %w", err))
		}
	}
	// Forget what is long behind the watermark: a later rename of such a
	// file hands it once more, and the sink drops it.
	old := w.watermark.Add(-10 * time.Minute).UnixNano()
	for k, ct := range w.seen {
		if ct < old {
			delete(w.seen, k)
		}
	}
	return true
}

type fileInfo struct {
	path  string
	ctime time.Time
}

// handle reads one file and hands it to the sink, unless its message was
// handed already.
func (w *Watcher) handle(ctx context.Context, path string) {
	dir := filepath.Base(filepath.Dir(path))
	base := filepath.Base(path)
	if (dir != "new" && dir != "cur") || strings.HasPrefix(base, ".") {
		return
	}
	key := UniqueName(base)
	if _, ok := w.seen[key]; ok {
		delete(w.failed, key)
		return
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		// Moved by a client between the listing and the reading (new/ to
		// cur/, or a flag change): the new name's event brings it.
		if f, ok := w.failed[key]; ok && f.path == path {
			delete(w.failed, key)
		}
		return
	}
	var st os.FileInfo
	if err == nil {
		st, err = os.Stat(path)
	}
	if err != nil {
		w.fail(key, path, fmt.Errorf("maildir: reading %s: %w", path, err))
		return
	}
	if st.IsDir() || st.Size() == 0 {
		return // a writer that skipped tmp/: read once it has written
	}
	m := ingest.Mail{Source: w.o.Name, Position: key, Arrival: arrival(key, st.ModTime()), Data: data}
	if err := w.o.Sink.PutMail(ctx, m); err != nil {
		w.fail(key, path, fmt.Errorf("maildir: storing %s: %w", key, err))
		return
	}
	ct, _ := ctime(path)
	if ct.IsZero() {
		ct = time.Now()
	}
	w.seen[key] = ct.UnixNano()
	if _, ok := w.failed[key]; ok {
		delete(w.failed, key)
		if len(w.failed) == 0 {
			w.status.ClearError()
		}
	}
	w.status.Stored(1, time.Now())
	w.updateLag()
}

func (w *Watcher) fail(key, path string, err error) {
	f, ok := w.failed[key]
	if !ok {
		f.since = time.Now()
	}
	f.path = path
	w.failed[key] = f
	w.status.Failed(err)
	w.log.Warn("maildir message not stored; will retry", "err", err)
	w.updateLag()
}

func (w *Watcher) updateLag() {
	var oldest time.Time
	for _, f := range w.failed {
		if oldest.IsZero() || f.since.Before(oldest) {
			oldest = f.since
		}
	}
	if oldest.IsZero() {
		w.status.SetLag(0)
	} else {
		w.status.SetLag(time.Since(oldest))
	}
}

func (w *Watcher) retryFailed(ctx context.Context) {
	for key, f := range w.failed {
		if _, err := os.Stat(f.path); errors.Is(err, fs.ErrNotExist) {
			delete(w.failed, key) // moved: a rescan or its event finds it
			continue
		}
		w.handle(ctx, f.path)
	}
	if len(w.failed) == 0 && w.scan(ctx) { // catch up on what a failed scan left behind
		w.status.ClearError()
		w.updateLag()
	}
}

// UniqueName returns a Maildir file name without its info suffix
// (":2,FLAGS"; ";2," or "!2," where ':' is not allowed in file names).
func UniqueName(base string) string {
	for i := len(base) - 1; i > 0; i-- {
		switch base[i] {
		case ':', ';', '!':
			if rest := base[i+1:]; strings.HasPrefix(rest, "2,") || strings.HasPrefix(rest, "1,") {
				return base[:i]
			}
		}
	}
	return base
}

// arrival is the unique name's leading Unix seconds when plausible, else
// the file's modification time.
func arrival(unique string, mtime time.Time) time.Time {
	i := 0
	for i < len(unique) && i < 12 && unique[i] >= '0' && unique[i] <= '9' {
		i++
	}
	if i >= 9 && (i == len(unique) || unique[i] == '.') {
		if sec, err := strconv.ParseInt(unique[:i], 10, 64); err == nil {
			t := time.Unix(sec, 0)
			if t.Year() >= 1995 && t.Before(time.Now().Add(48*time.Hour)) {
				return t
			}
		}
	}
	return mtime
}

var _ ingest.Source = (*Watcher)(nil)
