package diagnose_test

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/bouncewatch/bouncewatch/attrib"
	"github.com/bouncewatch/bouncewatch/bounce"
	"github.com/bouncewatch/bouncewatch/diagnose"
	"github.com/bouncewatch/bouncewatch/internal/scenario"
)

// TestDigestRoundTrip: an analyzer given the digests read back from
// their binary form writes the same report as one given the messages,
// for scenarios with a log, without one, with fakes and with campaigns;
// the binary form is stable (written again, the same bytes).
func TestDigestRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name string
		def  func(string) (*scenario.Scenario, error)
	}{
		{"hijack", scenario.Hijack},
		{"mixed", scenario.Mixed},
		{"spoof", scenario.Spoof},
		{"hosting-no-log", scenario.HostingNoLog},
		{"spoof-no-log", scenario.SpoofNoLog},
		{"nothing-returned", scenario.NothingReturned},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := load(t, tc.def)
			rng := rand.New(rand.NewPCG(3, 5))
			a := l.analyzer()
			l.feed(a, l.mail, 0.5, rng)
			want := reportJSON(t, a.Report())

			b := l.analyzer()
			if a.DigestKey() != b.DigestKey() {
				t.Fatalf("the same configuration gives two keys: %s, %s", a.DigestKey(), b.DigestKey())
			}
			for _, ev := range l.events {
				b.AddEvent(ev)
			}
			for _, m := range l.mail {
				data, err := b.Digest(m).MarshalBinary()
				if err != nil {
					t.Fatal(err)
				}
				var d diagnose.Digest
				if err := d.UnmarshalBinary(data); err != nil {
					t.Fatalf("%s: %v", m.Source, err)
				}
				again, _ := d.MarshalBinary()
				if !bytes.Equal(again, data) {
					t.Fatalf("%s: written again, the digest differs", m.Source)
				}
				b.AddDigest(&d)
			}
			if got := reportJSON(t, b.Report()); !bytes.Equal(got, want) {
				t.Errorf("the report from decoded digests differs: %s", firstDiff(got, want))
			}
		})
	}
}

// TestDigestCorpusRoundTrip round-trips the digests of the corpus' real
// bounces (every format the decoder reads).
func TestDigestCorpusRoundTrip(t *testing.T) {
	files, _ := filepath.Glob("../../shared/corpus/sisimai/eml/*.eml")
	if len(files) == 0 {
		files, _ = filepath.Glob("../shared/corpus/sisimai/eml/*.eml")
	}
	if len(files) == 0 {
		if os.Getenv("CI") == "true" {
			t.Fatal("the corpus is missing (../shared/corpus/sisimai)")
		}
		t.Skip("no corpus")
	}
	a := diagnose.New(diagnose.Config{Attrib: attrib.Config{Domains: []string{"example.jp"}}})
	n := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		res, derr := bounce.DecodeBytes(data)
		dg := a.Digest(diagnose.Mail{Source: f, Result: res, Err: derr})
		enc, err := dg.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		var back diagnose.Digest
		if err := back.UnmarshalBinary(enc); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if again, _ := back.MarshalBinary(); !bytes.Equal(again, enc) {
			t.Fatalf("%s: written again, the digest differs", f)
		}
		n++
	}
	t.Logf("%d corpus digests round-tripped", n)
}

// TestDigestZoneOffsets: dates with the widest zone offsets time.Parse
// takes (24 hours and 60 minutes, as forged mail may carry) round-trip;
// they were written, then refused as corrupt when a checkpoint was read.
func TestDigestZoneOffsets(t *testing.T) {
	a := diagnose.New(diagnose.Config{Attrib: attrib.Config{Domains: []string{"example.jp"}}})
	for _, zone := range []string{"+2460", "-2460", "+2400", "-0000"} {
		msg := "From: MAILER-DAEMON@mx.example.net\r\nTo: shop@example.jp\r\nDate: Mon, 2 Nov 2026 02:14:07 " + zone + "\r\n" +
			"Subject: Undelivered Mail Returned to Sender\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=b\r\n\r\n" +
			"--b\r\nContent-Type: text/plain\r\n\r\nfailed\r\n" +
			"--b\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.net\r\n\r\nFinal-Recipient: rfc822; nobody@example.net\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n" +
			"--b\r\nContent-Type: text/rfc822-headers\r\n\r\nFrom: shop@example.jp\r\nTo: nobody@example.net\r\nDate: Sun, 1 Nov 2026 23:00:00 " + zone + "\r\nMessage-ID: <1@example.jp>\r\n\r\n--b--\r\n"
		res, derr := bounce.DecodeBytes([]byte(msg))
		if derr != nil {
			t.Fatalf("%s: %v", zone, derr)
		}
		if _, ok := res.Time(); !ok {
			t.Fatalf("%s: the bounce's Date not read", zone)
		}
		enc, err := a.Digest(diagnose.Mail{Source: "zone " + zone, Result: res}).MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		var back diagnose.Digest
		if err := back.UnmarshalBinary(enc); err != nil {
			t.Errorf("%s: %v", zone, err)
		}
	}
}

// TestDigestCoversEveryField fails when Digest or the types it holds
// gain a field the binary form does not write: raise DigestVersion and
// encode the field.
func TestDigestCoversEveryField(t *testing.T) {
	for _, tc := range []struct {
		v    any
		want int
	}{
		{diagnose.Digest{}, diagnose.DigestFields},
		{attrib.Facts{}, diagnose.FactsFields},
		{attrib.Hop{}, 7},
		{attrib.Sig{}, 6},
		{attrib.BATVCheck{}, 4},
		{attrib.Item{}, 5},
		{attrib.Fake{}, 1},
	} {
		typ := reflect.TypeOf(tc.v)
		if typ.NumField() != tc.want {
			t.Errorf("%s has %d fields, the digest's binary form writes %d: encode the new ones and raise DigestVersion", typ, typ.NumField(), tc.want)
		}
	}
}

func TestDigestUnmarshalErrors(t *testing.T) {
	a := diagnose.New(diagnose.Config{})
	good, _ := a.Digest(diagnose.Mail{Source: "x"}).MarshalBinary()
	for _, tc := range []struct {
		name    string
		data    []byte
		version bool
	}{
		{"empty", nil, false},
		{"other version", append([]byte{byte(diagnose.DigestVersion + 1)}, good[1:]...), true},
		{"truncated", good[:len(good)-1], false},
		{"trailing", append(append([]byte(nil), good...), 0), false},
		{"huge length", []byte{byte(diagnose.DigestVersion), 0xff, 0xff, 0xff, 0xff, 0x0f}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var d diagnose.Digest
			err := d.UnmarshalBinary(tc.data)
			if err == nil {
				t.Fatal("no error")
			}
			if errors.Is(err, diagnose.ErrDigestVersion) != tc.version {
				t.Errorf("error %v: version error %v, want %v", err, !tc.version, tc.version)
			}
		})
	}
}

func FuzzDigestUnmarshal(f *testing.F) {
	a := diagnose.New(diagnose.Config{})
	good, _ := a.Digest(diagnose.Mail{Source: "x"}).MarshalBinary()
	f.Add(good)
	if data, err := os.ReadFile("../store/testdata/01-postfix-user-unknown.eml"); err == nil {
		res, derr := bounce.DecodeBytes(data)
		enc, _ := a.Digest(diagnose.Mail{Source: "s", Result: res, Err: derr}).MarshalBinary()
		f.Add(enc)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var d diagnose.Digest
		if err := d.UnmarshalBinary(data); err != nil {
			return
		}
		enc, err := d.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		var d2 diagnose.Digest
		if err := d2.UnmarshalBinary(enc); err != nil {
			t.Fatalf("a digest written again does not read back: %v", err)
		}
		if again, _ := d2.MarshalBinary(); !bytes.Equal(again, enc) {
			t.Fatal("not stable")
		}
	})
}
