package dmarcrpt

import (
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func read(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParse(t *testing.T) {
	tests := []struct {
		name, file string
		mail       bool
		schema     Schema
		org, id    string
		records    int
		total      int64
		failBoth   int64
		begin      time.Time
		policy     string
	}{
		{"google zip mail", "google.eml", true, RFC7489, "google.com", "15723395062193725342", 3, 42400, 41200, time.Date(2024, 10, 10, 0, 0, 0, 0, time.UTC), "none"},
		{"google bare xml", "google.xml", false, RFC7489, "google.com", "15723395062193725342", 3, 42400, 41200, time.Date(2024, 10, 10, 0, 0, 0, 0, time.UTC), "none"},
		{"microsoft gzip in multipart", "microsoft.eml", true, RFC7489, "Outlook.com", "9c2b1a7e4f8d4e0b9a3f2d6c1b5e7a90", 2, 48, 3, time.Date(2024, 10, 10, 0, 0, 0, 0, time.UTC), "quarantine"},
		{"yahoo dmarcbis octet-stream .xml.gz", "yahoo.eml", true, DMARCbis, "Yahoo", "1728604800.847362", 1, 310, 310, time.Date(2024, 10, 11, 0, 0, 0, 0, time.UTC), "reject"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var r *Report
			var err error
			if tc.mail {
				r, err = ParseMessage(read(t, tc.file))
			} else {
				r, err = Parse(read(t, tc.file))
			}
			if err != nil {
				t.Fatal(err)
			}
			if r.Schema != tc.schema || r.OrgName != tc.org || r.ReportID != tc.id || r.Domain() != "example.jp" || r.Policy.P != tc.policy {
				t.Errorf("got %s %q %q %q p=%s", r.Schema, r.OrgName, r.ReportID, r.Domain(), r.Policy.P)
			}
			if !r.Begin.Equal(tc.begin) {
				t.Errorf("begin %v, want %v", r.Begin, tc.begin)
			}
			if len(r.Records) != tc.records || r.Total() != tc.total {
				t.Errorf("%d records, %d messages; want %d, %d", len(r.Records), r.Total(), tc.records, tc.total)
			}
			var fail int64
			for _, rec := range r.Records {
				if !rec.Aligned() {
					fail += rec.Count
				}
			}
			if fail != tc.failBoth {
				t.Errorf("%d messages failing both, want %d", fail, tc.failBoth)
			}
		})
	}
}

func TestParseDetails(t *testing.T) {
	r, err := ParseMessage(read(t, "microsoft.eml"))
	if err != nil {
		t.Fatal(err)
	}
	rec := r.Records[1]
	if rec.SourceIP != netip.MustParseAddr("203.0.113.10") || rec.DKIM != Pass || rec.SPF != Fail || !rec.Aligned() {
		t.Errorf("record: %+v", rec)
	}
	if len(rec.Reasons) != 1 || rec.Reasons[0].Type != "forwarded" || rec.EnvelopeTo != "hotmail.com" {
		t.Errorf("reasons/identifiers: %+v", rec)
	}
	if len(rec.AuthDKIM) != 1 || rec.AuthDKIM[0].Selector != "mail" || rec.AuthSPF[0].Scope != "mfrom" {
		t.Errorf("auth results: %+v %+v", rec.AuthDKIM, rec.AuthSPF)
	}
	b, err := ParseMessage(read(t, "yahoo.eml"))
	if err != nil {
		t.Fatal(err)
	}
	if b.Policy.NP != "reject" || b.Policy.Testing != "n" || b.Policy.Discovery != "treewalk" || b.Policy.Pct != -1 {
		t.Errorf("dmarcbis policy: %+v", b.Policy)
	}
	g, _ := Parse(read(t, "google.xml"))
	if g.Records[2].SourceIP != netip.MustParseAddr("2001:db8::25") || g.Records[2].Aligned() {
		t.Errorf("IPv6 record with unaligned passes: %+v", g.Records[2])
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		mail bool
		want error
	}{
		{"malformed xml", read(t, "malformed.xml"), false, ErrMalformed},
		{"gzip bomb", read(t, "bomb.xml.gz"), false, ErrTooLarge},
		{"plain text", []byte("hello"), false, ErrNotReport},
		{"other xml", []byte("<html><body>x</body></html>"), false, ErrNotReport},
		{"no report id", []byte("<feedback><report_metadata><org_name>a</org_name></report_metadata></feedback>"), false, ErrMalformed},
		{"bad count", []byte("<feedback><report_metadata><org_name>a</org_name><report_id>1</report_id><date_range><begin>1</begin><end>2</end></date_range></report_metadata><policy_published><domain>d</domain></policy_published><record><row><source_ip>192.0.2.1</source_ip><count>-4</count></row></record></feedback>"), false, ErrMalformed},
		{"broken gzip", []byte("\x1f\x8b\x08\x00garbage"), false, ErrMalformed},
		{"mail without report", []byte("From: a@b\r\nSubject: hi\r\n\r\nhello\r\n"), true, ErrNotReport},
		{"mail with malformed attachment", []byte("From: a@b\r\nContent-Type: text/xml\r\n\r\n" + string(read(t, "malformed.xml"))), true, ErrMalformed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			if tc.mail {
				_, err = ParseMessage(tc.data)
			} else {
				_, err = Parse(tc.data)
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("error %v, want %v", err, tc.want)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	for _, n := range []string{"google.xml", "microsoft.xml", "dmarcbis.xml", "malformed.xml"} {
		f.Add(read(f, n))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := Parse(data)
		if err == nil && (r.ReportID == "" || r.Domain() == "") {
			t.Fatalf("report without id or domain: %+v", r)
		}
		if err != nil && !errors.Is(err, ErrNotReport) && !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrTooLarge) {
			t.Fatalf("unclassified error: %v", err)
		}
	})
}

func FuzzParseMessage(f *testing.F) {
	for _, n := range []string{"google.eml", "microsoft.eml", "yahoo.eml"} {
		f.Add(read(f, n))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		_, err := ParseMessage(data)
		if err != nil && !errors.Is(err, ErrNotReport) && !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrTooLarge) {
			t.Fatalf("unclassified error: %v", err)
		}
	})
}

func ExampleParseMessage() {
	msg, _ := os.ReadFile("testdata/google.eml")
	r, err := ParseMessage(msg)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(r.OrgName, r.Domain(), r.Total())
	for _, rec := range r.Records {
		fmt.Println(rec.SourceIP, rec.Count, rec.Aligned())
	}
	// Output:
	// google.com example.jp 42400
	// 203.0.113.10 1200 true
	// 198.51.100.23 20600 false
	// 2001:db8::25 20600 false
}
