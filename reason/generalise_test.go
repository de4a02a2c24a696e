package reason

import "testing"

// TestGeneralisePhrases: the wordings added for bounces of other public
// collections than the shared corpus (issue 7 section 3), each as the
// diagnostic of a DSN with a generic status, the way a decoder hands it
// over.
func TestGeneralisePhrases(t *testing.T) {
	cases := []struct {
		name string
		f    Facts
		want Reason
	}{
		{"mailbox closed for disuse, Spanish", Facts{Diagnostic: "Esta casilla ha expirado por falta de uso."}, Suspend},
		{"account expired, English, after RCPT", Facts{Status: "5.0.0", ReplyCode: "550", Command: "RCPT", Diagnostic: "550 sorry, this mailbox has expired"}, Suspend},
		{"Domino: several directory matches", Facts{Status: "5.0.0", DiagnosticType: "X-Notes",
			Diagnostic: "Recipient user name kenji (kenji@example.jp) not unique.  Several matches found in Domino Directory."}, SystemError},
		{"queue lifetime is still expired, not suspend", Facts{Status: "4.4.7", Action: "delayed", Diagnostic: "delivery time expired"}, Expired},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := Classify(tc.f); got != tc.want {
				t.Errorf("Classify = %s, want %s", got, tc.want)
			}
		})
	}
}
