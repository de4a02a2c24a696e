package bounce

import (
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// WarningKind names what the decoder had to leave out of a message.
type WarningKind string

// Kinds of Warning.
const (
	// WarnMIMEParts: the message has more MIME parts than the decoder
	// visits (maxParts); the parts after the limit were not read.
	WarnMIMEParts WarningKind = "mime_parts"
	// WarnMIMEDepth: multiparts nested deeper than the decoder follows
	// (maxDepth) were kept opaque.
	WarnMIMEDepth WarningKind = "mime_depth"
	// WarnProseLines: the notice's text has more lines than recognisers
	// read (maxProseLines).
	WarnProseLines WarningKind = "prose_lines"
	// WarnTextSize: a text part, or the message's text in all, is larger
	// than the decoder reads (maxTextPart, maxFlat).
	WarnTextSize WarningKind = "text_size"
	// WarnNotAddress: a recogniser named a recipient that is not an
	// address (no '@', or control characters); it was dropped.
	WarnNotAddress WarningKind = "not_an_address"
)

// Warning is something the decoder left out of a message: what follows one
// of its limits (recipients named there are missing), or a recipient that
// is not an address. Each record's Evidence says it too, and the command
// line prints it on standard error with the message's source, so that no
// recipient is dropped without a word.
type Warning struct {
	Kind   WarningKind
	Limit  int    // the limit that was reached, for the limit kinds
	Detail string // for WarnNotAddress: the text that was taken for a recipient (quoted, cut)
}

// String says it in a sentence.
func (w Warning) String() string {
	n := strconv.Itoa(w.Limit)
	switch w.Kind {
	case WarnMIMEParts:
		return "read in part: more than " + n + " MIME parts; the parts after the limit were not read and recipients named there are missing"
	case WarnMIMEDepth:
		return "read in part: MIME nested deeper than " + n + " levels; the deeper parts were not read and recipients named there are missing"
	case WarnProseLines:
		return "read in part: more than " + n + " lines of text; recipients named after the limit are missing"
	case WarnTextSize:
		return "read in part: text larger than " + n + " bytes; recipients named after the limit are missing"
	case WarnNotAddress:
		return "dropped recipient " + w.Detail + ": not an address"
	}
	return string(w.Kind)
}

// addWarning notes w once per kind (recipients: once per text).
func addWarning(ws []Warning, w Warning) []Warning {
	for _, o := range ws {
		if o.Kind == w.Kind && o.Detail == w.Detail {
			return ws
		}
	}
	if len(ws) >= maxWarnings {
		return ws
	}
	return append(ws, w)
}

// maxWarnings bounds the warnings of one message; maxEvidence the evidence
// lines of one record.
const (
	maxWarnings = 20
	maxEvidence = 16
)

// isAddress reports whether a cleaned recipient can be a mail address: an
// '@' with something on both sides, and no control characters (C0, DEL,
// C1) that a terminal or a log would act on.
func isAddress(s string) bool {
	at := strings.LastIndexByte(s, '@')
	if at <= 0 || at == len(s)-1 {
		return false
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f || 0x80 <= r && r <= 0x9f || r == utf8.RuneError {
			return false
		}
	}
	return true
}

// quoteDetail shows a dropped recipient in a warning: quoted with Go
// escapes (so control characters are visible, never acted on) and cut.
func quoteDetail(s string) string {
	if len(s) > 80 {
		s = s[:80] + "…"
	}
	return strconv.QuoteToASCII(s)
}

// evidenceOf joins the evidence shared by a scan's records and a record's
// own: repeated lines once, at most maxEvidence lines and a count of the
// rest. A notice of a thousand report parts gives the same line for each
// part; repeated in each of its thousand records that was a million lines
// (issue 7: 116 KB of bounce, 47 MB of JSON).
func evidenceOf(shared, own []string, ws []Warning) []string {
	out := make([]string, 0, min(len(shared)+len(own)+len(ws), maxEvidence+1))
	var more map[string]bool // distinct lines past the limit
	add := func(s string) {
		if len(out) < maxEvidence {
			for _, o := range out {
				if o == s {
					return
				}
			}
			out = append(out, s)
			return
		}
		if slices.Contains(out, s) {
			return
		}
		if more == nil {
			more = make(map[string]bool)
		}
		more[s] = true
	}
	for _, w := range ws {
		add(w.String())
	}
	for _, s := range shared {
		add(s)
	}
	for _, s := range own {
		add(s)
	}
	if len(more) > 0 {
		out = append(out, "… and "+strconv.Itoa(len(more))+" more lines of evidence")
	}
	return out
}
