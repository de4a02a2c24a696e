package bounce

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// mta2Want is what one record of a fixture must hold; empty fields are not
// checked.
type mta2Want struct {
	recipient string
	reason    string
	status    string
	command   string
	remote    string
	action    string
}

func TestMTA2Fixtures(t *testing.T) {
	cases := []struct {
		name string
		file string
		by   string
		want []mta2Want
		orig bool // the returned message's headers are found
	}{
		{"exim failed RCPT and local mailbox full", "exim-rcpt.eml", "exim", []mta2Want{
			{recipient: "bob@rcpt.test", reason: "userunknown", status: "5.1.1", command: "RCPT", remote: "mx1.rcpt.test", action: "failed"},
			{recipient: "carol@rcpt.test", reason: "mailboxfull"},
		}, true},
		{"exim delay warning", "exim-delay.eml", "exim", []mta2Want{
			{recipient: "dave@slow.test", status: "4.7.1", command: "MAIL", remote: "mx.slow.test", action: "delayed"},
		}, false},
		{"qmail remote and local errors", "qmail.eml", "qmail", []mta2Want{
			{recipient: "erin@rcpt.test", reason: "userunknown", status: "5.1.1", command: "RCPT", remote: "198.51.100.25"},
			{recipient: "frank@nowhere.test", reason: "hostunknown", status: "5.1.2"},
		}, true},
		{"mcafee saas (mxlogic)", "mxlogic.eml", "mxlogic", []mta2Want{
			{recipient: "gina@rcpt.test", reason: "userunknown", status: "5.1.1"},
		}, true},
		{"x1 mail deliver system", "x1.eml", "x1", []mta2Want{{recipient: "ivan@rcpt.test", reason: "filtered"}}, false},
		{"x2 qmail clone", "x2.eml", "x2", []mta2Want{{recipient: "henry@big.test", reason: "filtered"}}, true},
		{"x3 technical details", "x3.eml", "x3", []mta2Want{
			{recipient: "judy@rcpt.test", reason: "userunknown", status: "5.1.1", command: "RCPT", remote: "198.51.100.33"},
		}, false},
		{"x6 full details follow", "x6.eml", "x6", []mta2Want{
			{recipient: "kim@rcpt.test", reason: "userunknown", command: "RCPT", remote: "mx.rcpt.test"},
		}, false},
		{"imail server", "imail.eml", "imailserver", []mta2Want{{recipient: "leo@rcpt.test", reason: "userunknown"}}, true},
		{"fml not a member", "fml.eml", "fml", []mta2Want{{recipient: "cats@lists.test", reason: "rejected"}}, false},
		{"m-filter after DATA", "mfilter.eml", "mfilter", []mta2Want{{recipient: "mallory@rcpt.test", reason: "filtered", command: "DATA"}}, true},
		{"active!hunter", "activehunter.eml", "activehunter", []mta2Want{{recipient: "nina@rcpt.test", reason: "userunknown", status: "5.1.1"}}, true},
		{"interscan mss transcript", "trendmicro.eml", "trendmicro", []mta2Want{
			{recipient: "oscar@rcpt.test", reason: "userunknown", status: "5.1.1", command: "RCPT"},
		}, true},
		{"mailfoundry", "mailfoundry.eml", "mailfoundry", []mta2Want{
			{recipient: "peggy@rcpt.test", reason: "mailboxfull", status: "5.2.2", remote: "mail.rcpt.test"},
		}, true},
		{"messaging server source route", "messagingserver.eml", "messagingserver", []mta2Want{
			{recipient: "quinn@rcpt.test", reason: "mailboxfull", status: "5.2.2", remote: "store.rcpt.test"},
		}, false},
		{"powermta bounce category", "powermta.eml", "powermta", []mta2Want{
			{recipient: "rose@rcpt.test", reason: "mailboxfull", remote: "mx.rcpt.test"},
		}, false},
		{"amavis bad header", "amavis.eml", "amavis", []mta2Want{
			{recipient: "sam@rcpt.test", reason: "notcompliantrfc", status: "5.7.0"},
		}, false},
		{"forwarded mail is not a bounce", "not-bounce-forward.eml", "", nil, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join("testdata", "mta2", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			res, err := DecodeBytes(b)
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			if tc.want == nil {
				if res.Kind != KindNotBounce || len(res.Records) != 0 {
					t.Fatalf("taken for a bounce by %s: %+v", res.DecodedBy, res.Records)
				}
				return
			}
			if res.DecodedBy != tc.by {
				t.Errorf("decoded by %q, want %q", res.DecodedBy, tc.by)
			}
			if len(res.Records) != len(tc.want) {
				t.Fatalf("%d records, want %d: %+v", len(res.Records), len(tc.want), res.Records)
			}
			for i, w := range tc.want {
				r := res.Records[i]
				check := func(field, got, want string) {
					if want != "" && got != want {
						t.Errorf("record %d %s = %q, want %q", i, field, got, want)
					}
				}
				check("recipient", r.Recipient, w.recipient)
				check("reason", string(r.Reason), w.reason)
				check("status", r.Status, w.status)
				check("command", r.Command, w.command)
				check("remote_mta", r.RemoteMTA, w.remote)
				check("action", r.Action, w.action)
				if r.DecodedBy != tc.by {
					t.Errorf("record %d decoded_by %q", i, r.DecodedBy)
				}
				if len(r.Evidence) == 0 {
					t.Errorf("record %d has no evidence", i)
				}
			}
			if tc.orig && (res.Original == nil || res.Original.Subject == "" && res.Original.To == "") {
				t.Errorf("returned message not found: %+v", res.Original)
			}
			// The same message with CRLF line ends decodes alike.
			crlf := bytes.ReplaceAll(b, []byte("\n"), []byte("\r\n"))
			res2, err := DecodeBytes(crlf)
			if err != nil {
				t.Fatalf("decode CRLF: %v", err)
			}
			if !reflect.DeepEqual(res, res2) {
				t.Errorf("CRLF copy decodes differently:\n LF:   %+v\n CRLF: %+v", res.Records, res2.Records)
			}
		})
	}
}

// TestMTA2Robust feeds truncated fixtures to the decoder: never a panic,
// never an internal error.
func TestMTA2Robust(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "mta2", "*.eml"))
	for _, f := range files {
		b, _ := os.ReadFile(f)
		for n := 0; n < len(b); n += 7 {
			_, err := DecodeBytes(b[:n])
			if err != nil && strings.Contains(err.Error(), "internal") {
				t.Fatalf("%s cut at %d: %v", filepath.Base(f), n, err)
			}
		}
	}
}

func BenchmarkMTA2Reject(b *testing.B) {
	// An ordinary message goes through every recogniser of this family.
	raw, err := os.ReadFile(filepath.Join("testdata", "mta2", "not-bounce-forward.eml"))
	if err != nil {
		b.Fatal(err)
	}
	f := flatten(normalizeLineEnds(raw))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, r := range mta2Recognizers {
			if r.scan(f) != nil {
				b.Fatal(r.name)
			}
		}
	}
}
