package bounce

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
)

// corpusDir finds the shared sisimai corpus: $BOUNCEWATCH_CORPUS, or
// ../shared/corpus/sisimai beside the repository. In CI a missing corpus
// fails the test; elsewhere it skips.
func corpusDir(t testing.TB) string {
	dir := os.Getenv("BOUNCEWATCH_CORPUS")
	if dir == "" {
		dir = filepath.Join("..", "..", "shared", "corpus", "sisimai")
	}
	if _, err := os.Stat(filepath.Join(dir, "expected.jsonl")); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("corpus not found at %s (set BOUNCEWATCH_CORPUS): %v", dir, err)
		}
		t.Skipf("corpus not found at %s: %v", dir, err)
	}
	return dir
}

type expectation struct {
	File       string `json:"file"`
	Index      int    `json:"index"`
	Recipient  string `json:"recipient"`
	Reason     string `json:"reason"`
	Status     string `json:"status"`
	ReplyCode  string `json:"reply_code"`
	HardBounce bool   `json:"hard_bounce"`
}

func loadExpected(t testing.TB, dir string) map[string][]expectation {
	fh, err := os.Open(filepath.Join(dir, "expected.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	out := map[string][]expectation{}
	sc := bufio.NewScanner(fh)
	for n := 1; sc.Scan(); n++ {
		var e expectation
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("expected.jsonl:%d: %v", n, err)
		}
		out[e.File] = append(out[e.File], e)
	}
	return out
}

func decodeFile(t testing.TB, path string) (*Result, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return DecodeBytes(b)
}

// TestCorpus measures agreement with the reference decoder's answers on
// real bounces and checks the thresholds of the decoder's specification.
func TestCorpus(t *testing.T) {
	dir := corpusDir(t)
	want := loadExpected(t, dir)
	files, _ := filepath.Glob(filepath.Join(dir, "eml", "*.eml"))
	sort.Strings(files)
	if len(files) == 0 {
		t.Fatal("no corpus files")
	}
	var total, found, reasonOK, statusOK, hardOK, ours, extra int
	var misses []string
	for _, path := range files {
		name := filepath.Base(path)
		res, err := decodeFile(t, path)
		if errors.Is(err, ErrInternal) {
			t.Errorf("%s: %v", name, err)
		}
		got := map[string]Record{}
		if res != nil {
			for _, r := range res.Records {
				got[strings.ToLower(r.Recipient)] = r
			}
		}
		exp := want[name]
		if len(exp) > 0 {
			ours += len(got)
			expSet := map[string]bool{}
			for _, e := range exp {
				expSet[strings.ToLower(e.Recipient)] = true
			}
			for k := range got {
				if !expSet[k] {
					extra++
					misses = append(misses, fmt.Sprintf("%s: extra recipient %s", name, k))
				}
			}
		}
		for _, e := range exp {
			total++
			r, ok := got[strings.ToLower(e.Recipient)]
			if !ok {
				by := ""
				if res != nil {
					by = res.DecodedBy
				}
				misses = append(misses, fmt.Sprintf("%s: recipient %s not found (decoded by %q)", name, e.Recipient, by))
				continue
			}
			found++
			if string(r.Reason) == e.Reason {
				reasonOK++
			} else {
				misses = append(misses, fmt.Sprintf("%s: %s reason %s, want %s (status %q diag %.120q by %s)", name, e.Recipient, r.Reason, e.Reason, r.Status, r.DiagnosticCode, r.DecodedBy))
			}
			if r.Status == e.Status {
				statusOK++
			}
			if r.HardBounce == e.HardBounce {
				hardOK++
			}
		}
	}
	pct := func(a, b int) float64 {
		if b == 0 {
			return 0
		}
		return 100 * float64(a) / float64(b)
	}
	reasonPct, recallPct, extraPct := pct(reasonOK, total), pct(found, total), pct(extra, ours)
	fmt.Printf("corpus: %d files, %d expected records\n", len(files), total)
	fmt.Printf("corpus: reason agreement %.1f%% (%d/%d), recipient recall %.1f%% (%d/%d), extra recipients %.1f%% (%d/%d), status agreement %.1f%%, hard_bounce agreement %.1f%%\n",
		reasonPct, reasonOK, total, recallPct, found, total, extraPct, extra, ours, pct(statusOK, total), pct(hardOK, total))
	if testing.Verbose() {
		for _, m := range misses {
			fmt.Println("corpus miss:", m)
		}
	}
	// The specification asks for 97% reason agreement; the classifier
	// meets it. This floor (the measured figure, rounded down to 0.5) guards
	// against regressions and is raised as the classifier improves.
	const minReasonAgreement = 97.5
	if reasonPct < minReasonAgreement {
		t.Errorf("reason agreement %.1f%% < %.1f%% (target 97%%)", reasonPct, minReasonAgreement)
	}
	if recallPct < 99 {
		t.Errorf("recipient recall %.1f%% < 99%%", recallPct)
	}
	if extraPct > 1 {
		t.Errorf("extra recipients %.1f%% > 1%%", extraPct)
	}
}

// TestCorpusLineEnds checks that the CRLF (dos/) and CR (mac/) copies of
// every corpus file decode exactly as the LF original does.
func TestCorpusLineEnds(t *testing.T) {
	dir := corpusDir(t)
	for _, variant := range []string{"dos", "mac"} {
		files, _ := filepath.Glob(filepath.Join(dir, variant, "*"))
		if len(files) == 0 {
			t.Fatalf("no files in %s/", variant)
		}
		same := 0
		for _, path := range files {
			name := filepath.Base(path)
			a, errA := decodeFile(t, filepath.Join(dir, "eml", name))
			b, errB := decodeFile(t, path)
			if fmt.Sprint(errA) != fmt.Sprint(errB) {
				t.Errorf("%s/%s: error %v, eml/ gives %v", variant, name, errB, errA)
				continue
			}
			if !reflect.DeepEqual(a, b) {
				ja, _ := json.Marshal(a)
				jb, _ := json.Marshal(b)
				t.Errorf("%s/%s differs from eml/:\n eml: %.300s\n %s: %.300s", variant, name, ja, variant, jb)
				continue
			}
			same++
		}
		fmt.Printf("corpus: %s/ %d of %d files decode exactly as eml/\n", variant, same, len(files))
	}
}

// notBounceDisputed are the files of not-bounce/ that are delivery
// notices all the same, with what they report: the reference files them
// as not bounces, and we do not follow it there. Each must decode to that
// record and nothing else.
var notBounceDisputed = map[string]struct{ recipient, reason string }{
	// "Your message was rejected … reject reason: Mailbox full / target
	// mail address: xxxx@yyyyyy.net", from postmaster with a null
	// Return-Path and the bounced e-mail quoted: a full mailbox,
	// read by the generic reader (fallback.go), no rule of its own.
	"rb-issue-368-bug.eml": {"xxxx@yyyyyy.net", "mailboxfull"},
}

// TestCorpusNotBounce checks that ordinary mail gives no bounce.
func TestCorpusNotBounce(t *testing.T) {
	dir := corpusDir(t)
	files, _ := filepath.Glob(filepath.Join(dir, "not-bounce", "*"))
	if len(files) == 0 {
		t.Fatal("no files in not-bounce/")
	}
	for _, path := range files {
		res, err := decodeFile(t, path)
		if err != nil {
			t.Errorf("%s: %v", filepath.Base(path), err)
			continue
		}
		if want, ok := notBounceDisputed[filepath.Base(path)]; ok {
			if res.Kind != KindBounce || len(res.Records) != 1 || res.Records[0].Recipient != want.recipient || string(res.Records[0].Reason) != want.reason {
				t.Errorf("%s: %s with %+v, want one record %s %s", filepath.Base(path), res.Kind, res.Records, want.recipient, want.reason)
			}
			continue
		}
		if res.Kind != KindNotBounce || len(res.Records) > 0 {
			t.Errorf("%s: taken for a bounce by %s: %+v", filepath.Base(path), res.DecodedBy, res.Records)
		}
	}
}

// TestCorpusMalformed feeds the broken pieces and tiny mbox files to the
// decoder: each gives a result or a clear error, never a panic.
func TestCorpusMalformed(t *testing.T) {
	dir := corpusDir(t)
	var files []string
	for _, g := range []string{"malformed/*", "mbox/size-*"} {
		m, _ := filepath.Glob(filepath.Join(dir, g))
		files = append(files, m...)
	}
	if len(files) == 0 {
		t.Fatal("no malformed files")
	}
	var errs, bounces int
	for _, path := range files {
		res, err := decodeFile(t, path)
		switch {
		case errors.Is(err, ErrInternal):
			t.Errorf("%s: %v", filepath.Base(path), err)
		case err != nil:
			errs++
			if !errors.Is(err, ErrEmpty) && !errors.Is(err, ErrNoHeader) && !errors.Is(err, ErrTruncated) {
				t.Errorf("%s: unclassified error %v", filepath.Base(path), err)
			}
		case res.Kind == KindBounce:
			bounces++
		}
	}
	fmt.Printf("corpus: malformed/ and tiny mbox files: %d read, %d errors, %d bounces, no panic\n", len(files), errs, bounces)
}
