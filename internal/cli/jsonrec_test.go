package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/bouncewatch/bouncewatch/bounce"
	"github.com/bouncewatch/bouncewatch/reason"
)

// encodingJSON is what decode --json wrote before appendRecord: the
// encoding/json line of a jsonRecord, HTML escaping off.
func encodingJSON(t *testing.T, source string, r *bounce.Record) []byte {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(jsonRecord{Source: source, Kind: bounce.KindBounce, Record: r}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestAppendRecordMatchesEncodingJSON(t *testing.T) {
	hostile := "a\"b\\c\x00\x01\b\f\n\r\t\x1b[31m<&>\x7f\u2028\u2029é日本\xff\xc3("
	when := time.Date(2026, 11, 2, 2, 14, 7, 123456789, time.FixedZone("", 9*3600))
	cases := []struct {
		name string
		rec  bounce.Record
	}{
		{"empty", bounce.Record{}},
		{"empty slices", bounce.Record{Evidence: []string{}, Original: &bounce.Original{Received: []bounce.Received{}, DKIM: []bounce.DKIM{}, AuthenticationResults: []string{}}}},
		{"full", bounce.Record{
			Recipient: "user@example.jp", Alias: "alias@example.jp", Reason: reason.UserUnknown, HardBounce: true,
			Status: "5.1.1", ReplyCode: "550", Action: "failed", DiagnosticCode: "550 5.1.1 <user@example.jp>: unknown " + hostile,
			DiagnosticType: "SMTP", Command: "RCPT", RemoteMTA: "mx.example.jp", ReportingMTA: "mail.example.com",
			Timestamp: when, DecodedBy: "postfix", FeedbackType: "abuse", ExpiredAfter: 5,
			Evidence: []string{"one", hostile},
			Original: &bounce.Original{
				From: hostile, To: "to@example.jp", Subject: "件名", MessageID: "<id@x>", Date: "Mon, 2 Nov 2026",
				ReturnPath: "<rp@x>", Sender: "s@x", ReplyTo: "r@x", ListID: "<list>", FeedbackID: "f", XMailer: "m",
				Received: []bounce.Received{
					{From: "a", By: "b", IP: "192.0.2.1", With: "ESMTPSA", ID: "id", For: "f", Date: when, Raw: hostile},
					{Raw: "only raw"},
					{Date: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)},
				},
				DKIM:                  []bounce.DKIM{{Domain: "example.com", Selector: "s1"}},
				AuthenticationResults: []string{"spf=pass"},
				BodyReturned:          true,
			},
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := appendRecord(nil, "dir/"+hostile+"#2", &c.rec)
			if err != nil {
				t.Fatal(err)
			}
			if want := encodingJSON(t, "dir/"+hostile+"#2", &c.rec); !bytes.Equal(got, want) {
				t.Errorf("appendRecord:\n%s\nencoding/json:\n%s", got, want)
			}
		})
	}
	t.Run("year out of range", func(t *testing.T) {
		r := bounce.Record{Timestamp: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}
		if _, err := appendRecord(nil, "x", &r); err == nil {
			t.Error("no error for year 10000, as encoding/json gives")
		}
	})
}

// TestAppendRecordCorpus compares the two encoders on every record of the
// shared corpus's eml/.
func TestAppendRecordCorpus(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(corpusDir(t), "eml", "*.eml"))
	n := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		res, _ := bounce.DecodeBytes(data)
		if res == nil {
			continue
		}
		for i := range res.Records {
			n++
			got, err := appendRecord(nil, f, &res.Records[i])
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			if want := encodingJSON(t, f, &res.Records[i]); !bytes.Equal(got, want) {
				t.Fatalf("%s:\nappendRecord:  %s\nencoding/json: %s", f, got, want)
			}
		}
	}
	if n < 400 {
		t.Fatalf("only %d records compared", n)
	}
}
