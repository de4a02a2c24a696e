package store

import (
	"bytes"
	"context"
	"slices"
	"testing"
)

func TestCheckpoint(t *testing.T) {
	engines(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		s := open(t, dsn)
		if _, ok, err := s.LoadCheckpoint(ctx, "detector"); err != nil || ok {
			t.Fatalf("empty store: ok %v, err %v", ok, err)
		}
		for i, c := range []Checkpoint{
			{Name: "detector", Key: "k1", LastMail: 10, Holes: []int64{7, 8}, Data: []byte("first\x00state")},
			{Name: "detector", Key: "k2", LastMail: 25, Data: bytes.Repeat([]byte{0xff, 0}, 5000)},
		} {
			if err := s.PutCheckpoint(ctx, c); err != nil {
				t.Fatal(err)
			}
			got, ok, err := s.LoadCheckpoint(ctx, "detector")
			if err != nil || !ok {
				t.Fatalf("%d: ok %v, err %v", i, ok, err)
			}
			if got.Key != c.Key || got.LastMail != c.LastMail || !slices.Equal(got.Holes, c.Holes) || !bytes.Equal(got.Data, c.Data) || got.SavedAt.IsZero() {
				t.Errorf("%d: got %q %d %d bytes at %v, want %q %d %d bytes", i, got.Key, got.LastMail, len(got.Data), got.SavedAt, c.Key, c.LastMail, len(c.Data))
			}
		}
		// Decoding the messages again forgets it.
		if _, err := s.Reprocess(ctx, nil); err != nil {
			t.Fatal(err)
		}
		if _, ok, err := s.LoadCheckpoint(ctx, "detector"); err != nil || ok {
			t.Errorf("after reprocess: ok %v, err %v", ok, err)
		}
	})
}
