package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/bouncewatch/bouncewatch/ingest"
)

// TestMailDigests: the detector's read gives every message in ID order,
// each with its own digest when one is stored (the two queries merged
// right across the reader's batches), whatever range is asked, and stops
// cleanly when its caller stops.
func TestMailDigests(t *testing.T) {
	engines(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		s := open(t, dsn)
		const n = 700 // more than two of the digest reader's batches
		arr := time.Date(2026, 11, 2, 3, 0, 0, 0, time.UTC)
		for i := range n {
			msg := fmt.Sprintf("From: a@example.jp\r\nTo: b@example.jp\r\nMessage-ID: <%d@example.jp>\r\nSubject: hello %d\r\n\r\nbody %d\r\n", i, i, i)
			if err := s.PutMail(ctx, ingest.Mail{Source: "maildir:/m", Position: fmt.Sprint(i), Arrival: arr.Add(time.Duration(i) * time.Second), Data: []byte(msg)}); err != nil {
				t.Fatal(err)
			}
		}
		var ids []int64
		if _, err := s.MailDigests(ctx, 0, func(m MailDigest) error {
			ids = append(ids, m.ID)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if len(ids) != n {
			t.Fatalf("%d messages read, want %d", len(ids), n)
		}
		// Digests for some of the messages only: every third one, and a
		// run at the end, with a data of their own.
		want := map[int64][]byte{}
		var ds []StoredDigest
		for i, id := range ids {
			if i%3 == 0 || i >= n-50 {
				data := []byte(fmt.Sprintf("digest of %d", id))
				want[id] = data
				ds = append(ds, StoredDigest{ID: id, Key: "k", Data: data})
			}
		}
		if err := s.PutDigests(ctx, ds); err != nil {
			t.Fatal(err)
		}

		cases := []struct {
			name     string
			read     func(fn func(MailDigest) error) error
			from, to int // indexes into ids, to excluded
		}{
			{"all", func(fn func(MailDigest) error) error {
				last, err := s.MailDigests(ctx, 0, fn)
				if err == nil && last != ids[n-1] {
					err = fmt.Errorf("last ID %d, want %d", last, ids[n-1])
				}
				return err
			}, 0, n},
			{"after an ID", func(fn func(MailDigest) error) error {
				_, err := s.MailDigests(ctx, ids[299], fn)
				return err
			}, 300, n},
			{"between two IDs", func(fn func(MailDigest) error) error {
				return s.MailDigestsBetween(ctx, ids[10], ids[400], fn)
			}, 10, 401},
			{"one ID", func(fn func(MailDigest) error) error {
				return s.MailDigestsBetween(ctx, ids[3], ids[3], fn)
			}, 3, 4},
			{"nothing after the last", func(fn func(MailDigest) error) error {
				last, err := s.MailDigests(ctx, ids[n-1], fn)
				if err == nil && last != ids[n-1] {
					err = fmt.Errorf("last ID %d, want %d", last, ids[n-1])
				}
				return err
			}, n, n},
		}
		for _, c := range cases {
			var got []MailDigest
			if err := c.read(func(m MailDigest) error {
				got = append(got, m)
				return nil
			}); err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			if len(got) != c.to-c.from {
				t.Fatalf("%s: %d messages, want %d", c.name, len(got), c.to-c.from)
			}
			for i, m := range got {
				id := ids[c.from+i]
				if m.ID != id {
					t.Fatalf("%s: message %d has ID %d, want %d", c.name, i, m.ID, id)
				}
				if m.StoredAt.IsZero() {
					t.Errorf("%s: message %d has no storage time", c.name, id)
				}
				w, ok := want[id]
				switch {
				case !ok && m.Digest != nil:
					t.Errorf("%s: message %d has digest %q, stored none", c.name, id, m.Digest)
				case ok && (!bytes.Equal(m.Digest, w) || m.Key != "k" || m.Decoder != DecoderRevision):
					t.Errorf("%s: message %d has digest %q (key %q, decoder %d), want %q (k, %d)", c.name, id, m.Digest, m.Key, m.Decoder, w, DecoderRevision)
				}
			}
		}

		// A caller that stops gets its error back, and the digest reader
		// is not left behind holding a connection.
		stop := errors.New("enough")
		seen := 0
		_, err := s.MailDigests(ctx, 0, func(MailDigest) error {
			if seen++; seen == 10 {
				return stop
			}
			return nil
		})
		if !errors.Is(err, stop) || seen != 10 {
			t.Fatalf("stopped read: %v after %d messages", err, seen)
		}

		// The message itself, for a digest that does not fit.
		m, err := s.RawMail(ctx, ids[5])
		if err != nil {
			t.Fatal(err)
		}
		if m.Source != "maildir:/m" || m.Position != "5" || !m.Arrival.Equal(arr.Add(5*time.Second)) || !bytes.Contains(m.Data, []byte("body 5\r\n")) {
			t.Errorf("RawMail: %+v", m)
		}
		if _, err := s.RawMail(ctx, ids[n-1]+1000); err == nil {
			t.Error("RawMail of a missing message: no error")
		}
	})
}

// TestDecompress: a raw message comes back whole whatever size the row
// says (right, short, long, unknown), through reused decompressors, and
// damaged data is an error.
func TestDecompress(t *testing.T) {
	s := &Store{}
	raw := bytes.Repeat([]byte("Received: from mx.example.jp\r\nSubject: undeliverable\r\n\r\nbody\r\n"), 50)
	data, err := s.compress(raw)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		size int64
	}{
		{"size right", int64(len(raw))},
		{"size unknown", 0},
		{"size too small", 10},
		{"size too large", int64(len(raw)) * 3},
		{"size beyond the bound", sizeHintMax + 1},
	}
	for range 2 { // the second round reuses the decompressors
		for _, c := range cases {
			got, err := s.decompress(data, c.size)
			if err != nil || !bytes.Equal(got, raw) {
				t.Fatalf("%s: %d bytes, %v; want the %d bytes back", c.name, len(got), err, len(raw))
			}
		}
	}
	if _, err := s.decompress([]byte("\xff\xff not deflate"), int64(len(raw))); err == nil {
		t.Error("damaged data: no error")
	}
}
