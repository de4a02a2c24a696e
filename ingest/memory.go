package ingest

import (
	"context"
	"crypto/sha256"
	"sync"
)

// Memory is a Sink and Cursors kept in memory, for tests of the sources.
// Fail, when set, is returned by every Put (a store that cannot commit).
type Memory struct {
	mu      sync.Mutex
	Fail    error
	mails   []Mail
	lines   []LogLine
	seen    map[string]bool
	cursors map[string]string
}

func (m *Memory) init() {
	if m.seen == nil {
		m.seen = make(map[string]bool)
		m.cursors = make(map[string]string)
	}
}

// PutMail stores a copy of ml once per Source+Position and once per content.
func (m *Memory) PutMail(_ context.Context, ml Mail) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.Fail != nil {
		return m.Fail
	}
	m.init()
	pos := "p\x00" + ml.Source + "\x00" + ml.Position
	sum := sha256.Sum256(ml.Data)
	h := "h\x00" + string(sum[:])
	if m.seen[pos] || m.seen[h] {
		return nil
	}
	m.seen[pos], m.seen[h] = true, true
	ml.Data = append([]byte(nil), ml.Data...)
	m.mails = append(m.mails, ml)
	return nil
}

// PutLogLines stores each line once per Source+Position.
func (m *Memory) PutLogLines(_ context.Context, lines []LogLine) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.Fail != nil {
		return m.Fail
	}
	m.init()
	for _, l := range lines {
		k := "l\x00" + l.Source + "\x00" + l.Position
		if m.seen[k] {
			continue
		}
		m.seen[k] = true
		m.lines = append(m.lines, l)
	}
	return nil
}

// Cursor returns the cursor last set for source.
func (m *Memory) Cursor(_ context.Context, source string) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.init()
	return m.cursors[source], nil
}

// SetCursor sets source's cursor.
func (m *Memory) SetCursor(_ context.Context, source, value string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.Fail != nil {
		return m.Fail
	}
	m.init()
	m.cursors[source] = value
	return nil
}

// Mails returns the messages stored so far.
func (m *Memory) Mails() []Mail {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]Mail(nil), m.mails...)
}

// LogLines returns the lines stored so far.
func (m *Memory) LogLines() []LogLine {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]LogLine(nil), m.lines...)
}

var (
	_ Sink    = (*Memory)(nil)
	_ Cursors = (*Memory)(nil)
)
