package bounce

import (
	"strings"

	"github.com/bouncewatch/bouncewatch/reason"
)

// Lotus Notes and HCL (Lotus) Domino.
//
// Lotus Notes SMTP MTA ("Undeliverable message"):
//
//	------- Failure Reasons  --------
//
//	User  not listed in public Name & Address Book
//	kijitora@example.com
//
//	------- Returned Message --------
//
// Domino ("DELIVERY FAILURE: ..."), in the language of the server:
//
//	Your message
//
//	  Subject: Test
//
//	was not delivered to:
//
//	  kijitora@example.net
//
//	because:
//
//	  User some.name (kijitora@example.net) not listed in Domino Directory

const (
	notesReasonsMarker  = "------- Failure Reasons"
	notesReturnedMarker = "------- Returned Message"
)

// notesUserUnknown are the fixed texts of Notes and Domino for a recipient
// that is not in the directory, in the languages the servers speak.
var notesUserUnknown = []string{
	"not listed in domino directory",
	"not listed in public name & address book",
	"no se encuentra en el directorio de domino",
	"non répertorié dans l'annuaire domino",
	"domino ディレクトリには見つかりません",
}

func notesReason(diag string) reason.Reason {
	l := strings.ToLower(diag)
	for _, s := range notesUserUnknown {
		if strings.Contains(l, s) {
			return reason.UserUnknown
		}
	}
	return ""
}

// scanNotes reads the bounces of the Lotus Notes SMTP MTA.
func scanNotes(m *flat) *scan {
	if indexFoldASCII(m.hget("Subject"), "undeliverable message") != 0 {
		return nil
	}
	i := strings.Index(m.Body, notesReasonsMarker)
	if i < 0 {
		return nil
	}
	text := m.Body[i:]
	var orig []byte
	if j := strings.Index(text, notesReturnedMarker); j >= 0 {
		o := text[j:]
		text = text[:j]
		if nl := strings.IndexByte(o, '\n'); nl >= 0 {
			orig = []byte(strings.TrimLeft(o[nl+1:], "\n"))
		}
	}
	if nl := strings.IndexByte(text, '\n'); nl >= 0 {
		text = text[nl+1:]
	} else {
		return nil
	}
	var recs []Record
	var diag []string
	for _, line := range strings.Split(text, "\n") {
		t := strings.TrimSpace(line)
		if t == "" {
			continue
		}
		if a := loneAddress(t); a != "" {
			d := strings.Join(strings.Fields(strings.Join(diag, " ")), " ")
			recs = append(recs, Record{Recipient: a, Action: "failed", DiagnosticCode: d, Reason: notesReason(d)})
			diag = diag[:0]
			continue
		}
		if len(diag) < 8 {
			diag = append(diag, t)
		}
	}
	if len(recs) == 0 {
		return nil
	}
	sc := &scan{records: recs, evidence: []string{"Subject 'Undeliverable message' and Lotus Notes marker '" + notesReasonsMarker + "'"}}
	if m.Original == nil {
		sc.original = orig
	}
	return sc
}

// scanDomino reads the Domino text when no delivery-status part comes with
// it (the RFC 3464 reader handles those that have one).
func scanDomino(m *flat) *scan {
	subj := m.hget("Subject")
	if !strings.HasPrefix(subj, "DELIVERY FAILURE:") && !strings.Contains(subj, "DELIVERY_FAILURE") {
		return nil
	}
	for _, p := range m.Parts {
		if p.Type == "message/delivery-status" {
			return nil
		}
	}
	text := m.Body
	i := strings.Index(text, "Your message")
	if i < 0 {
		return nil
	}
	text = text[i:]
	if j := strings.Index(text, "Content-Type: message/rfc822"); j >= 0 {
		text = text[:j]
	}
	lines := strings.Split(text, "\n")
	var addrs []string
	var diag []string
	state := 0 // 1: after "was not delivered to:", 2: after "because:"
	for _, line := range lines {
		t := strings.TrimSpace(line)
		switch {
		case t == "":
			if state == 2 && len(diag) > 0 {
				state = 3
			}
			continue
		case strings.HasSuffix(t, ":") && len(line) > 0 && line[0] != ' ' && state < 2 && len(addrs) == 0:
			// "was not delivered to:" and its translations
			state = 1
			continue
		case strings.HasSuffix(t, ":") && len(line) > 0 && line[0] != ' ' && state == 1 && len(addrs) > 0:
			// "because:" and its translations
			state = 2
			continue
		}
		switch state {
		case 1:
			if a := loneAddress(t); a != "" {
				addrs = append(addrs, a)
			}
		case 2:
			if len(diag) < 8 {
				diag = append(diag, t)
			}
		}
	}
	if len(addrs) == 0 {
		return nil
	}
	d := strings.Join(strings.Fields(strings.Join(diag, " ")), " ")
	recs := make([]Record, 0, len(addrs))
	for _, a := range addrs {
		recs = append(recs, Record{Recipient: a, Action: "failed", DiagnosticCode: d, DiagnosticType: "X-Notes", Reason: notesReason(d)})
	}
	return &scan{records: recs, evidence: []string{"Subject 'DELIVERY FAILURE:' and Domino text 'Your message ... was not delivered to:'"}}
}
