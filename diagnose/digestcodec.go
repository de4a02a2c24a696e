package diagnose

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/bouncewatch/bouncewatch/attrib"
	"github.com/bouncewatch/bouncewatch/reason"
)

// DigestVersion is the version of the Digest's binary form
// (MarshalBinary). Raise it whenever Digest or attrib.Facts gains,
// loses or changes a field, or Digest reads a message differently: a
// stored digest of another version is not read back (UnmarshalBinary
// fails with ErrDigestVersion) and its message is digested again from
// its raw form.
const DigestVersion = 1

// ErrDigestVersion is UnmarshalBinary's error for a digest written by
// another DigestVersion.
var ErrDigestVersion = errors.New("diagnose: digest of another version")

// digestFields and factsFields are the numbers of fields the binary form
// covers; a test fails when Digest or attrib.Facts has another number, so
// a field cannot be added without its encoding.
const (
	digestFields = 28
	factsFields  = 13
)

// maxDigestItems bounds the lengths UnmarshalBinary accepts, so that a
// corrupt digest cannot make it allocate without bound.
const maxDigestItems = 1 << 16

// DigestKey names what a Digest made by this analyzer depends on besides
// the message: the binary form's version and the configuration Digest
// reads (our domains and relays, the BATV key, DKIM verification, the
// period, the time zone). A stored digest is valid for an analyzer with
// the same key; the store keeps it beside the message so that the
// detector restores its state without decoding again.
func (a *Analyzer) DigestKey() string {
	h := sha256.New()
	w := func(parts ...string) {
		for _, p := range parts {
			fmt.Fprintf(h, "%d:%s;", len(p), p)
		}
	}
	w(fmt.Sprint(DigestVersion))
	c := a.cfg.Attrib
	w(sortedCopy(c.Domains)...)
	w("|")
	w(sortedCopy(c.Relays)...)
	w("|")
	w(sortedCopy(c.MessageIDDomains)...)
	w("|", string(c.BATVKey), fmt.Sprint(c.BATVSignsAll, c.DKIM != nil, c.ActivityWindow))
	w(a.cfg.Since.UTC().String(), a.cfg.Until.UTC().String(), a.loc.String())
	return fmt.Sprintf("v%d-%s", DigestVersion, hex.EncodeToString(h.Sum(nil))[:24])
}

func sortedCopy(s []string) []string {
	c := make([]string, len(s))
	for i, v := range s {
		c[i] = strings.ToLower(v)
	}
	sort.Strings(c)
	return c
}

// MarshalBinary writes d in a compact binary form, version DigestVersion
// first. Call it before AddDigest (which keeps only what the report
// needs of d).
func (d *Digest) MarshalBinary() ([]byte, error) {
	e := digestEnc{b: make([]byte, 0, 256)}
	e.uint(DigestVersion)
	e.str(d.src)
	e.str(d.err)
	e.bools(d.failed, d.decoded, d.dated, d.outside, d.bounce, d.failure, d.when.implausible, d.facts != nil)
	e.time(d.t)
	e.str(string(d.when.source))
	e.time(d.when.claimed)
	e.str(d.when.zoneQID)
	e.int(d.when.zoneAt)
	e.int(d.when.zoneOld)
	e.int(int64(d.records))
	e.int(int64(d.delivered))
	e.int(int64(d.autoReply))
	e.int(int64(d.feedback))
	e.uint(uint64(len(d.reasons)))
	for _, r := range d.reasons {
		e.str(string(r.r))
		e.int(int64(r.n))
	}
	e.strs(d.rcptDoms)
	e.str(d.subject)
	e.str(d.refusal)
	e.str(d.subjKey)
	e.str(d.subjText)
	e.str(d.mailer)
	e.int(d.sentAt)
	e.int(int64(d.failedN))
	e.int(int64(d.hardN))
	for _, c := range d.cands {
		e.str(c)
	}
	e.str(d.fakeSubject)
	e.str(d.fakeFrom)
	if f := d.facts; f != nil {
		e.bools(f.Returned, f.Body, f.Fake != nil)
		e.str(f.MessageID)
		e.str(f.Shape)
		e.time(f.Date)
		e.str(f.FromDomain)
		e.str(f.ReturnPath)
		e.uint(uint64(len(f.Hops)))
		for _, h := range f.Hops {
			e.str(h.By)
			e.str(h.From)
			e.str(h.IP)
			e.str(h.Client)
			e.str(h.With)
			e.str(h.ID)
			e.str(h.Auth)
		}
		e.uint(uint64(len(f.DKIM)))
		for _, s := range f.DKIM {
			e.str(s.Domain)
			e.str(s.Selector)
			e.str(string(s.Status))
			e.str(s.Err)
			e.str(s.WhyEn)
			e.str(s.WhyJa)
		}
		e.uint(uint64(len(f.BATV)))
		for _, c := range f.BATV {
			e.str(c.Addr)
			e.str(c.Domain)
			e.uint(uint64(c.Result))
			e.int(int64(c.Day))
		}
		e.str(f.AuthHeader)
		e.str(f.OriginatingIP)
		if f.Fake != nil {
			e.uint(uint64(len(f.Fake.Reasons)))
			for _, it := range f.Fake.Reasons {
				e.str(it.Code)
				e.bools(it.SupportsOurs)
				e.uint(math.Float64bits(it.Weight))
				e.str(it.En)
				e.str(it.Ja)
			}
		}
	}
	return e.b, nil
}

// UnmarshalBinary reads a digest written by MarshalBinary. A digest of
// another version fails with ErrDigestVersion; corrupt data fails with
// an error, never a panic.
func (d *Digest) UnmarshalBinary(data []byte) error {
	r := digestDec{b: data}
	if v := r.uint(); r.err == nil && v != DigestVersion {
		return fmt.Errorf("%w: %d, want %d", ErrDigestVersion, v, DigestVersion)
	}
	var n Digest
	n.src = r.str()
	n.err = r.str()
	var hasFacts bool
	r.bools(&n.failed, &n.decoded, &n.dated, &n.outside, &n.bounce, &n.failure, &n.when.implausible, &hasFacts)
	n.t = r.time()
	n.when.source = TimeSource(r.str())
	n.when.claimed = r.time()
	n.when.zoneQID = r.str()
	n.when.zoneAt = r.int()
	n.when.zoneOld = r.int()
	n.records = int(r.int())
	n.delivered = int(r.int())
	n.autoReply = int(r.int())
	n.feedback = int(r.int())
	if k := r.count(); k > 0 {
		n.reasons = make([]reasonN, k)
		for i := range n.reasons {
			n.reasons[i] = reasonN{reason.Reason(r.str()), int(r.int())}
		}
	}
	n.rcptDoms = r.strs()
	n.subject = r.str()
	n.refusal = r.str()
	n.subjKey = r.str()
	n.subjText = r.str()
	n.mailer = r.str()
	n.sentAt = r.int()
	n.failedN = int32(r.int())
	n.hardN = int32(r.int())
	for i := range n.cands {
		n.cands[i] = r.str()
	}
	n.fakeSubject = r.str()
	n.fakeFrom = r.str()
	if hasFacts {
		f := &attrib.Facts{}
		var fake bool
		r.bools(&f.Returned, &f.Body, &fake)
		f.MessageID = r.str()
		f.Shape = r.str()
		f.Date = r.time()
		f.FromDomain = r.str()
		f.ReturnPath = r.str()
		if k := r.count(); k > 0 {
			f.Hops = make([]attrib.Hop, k)
			for i := range f.Hops {
				h := &f.Hops[i]
				h.By, h.From, h.IP, h.Client, h.With, h.ID, h.Auth = r.str(), r.str(), r.str(), r.str(), r.str(), r.str(), r.str()
			}
		}
		if k := r.count(); k > 0 {
			f.DKIM = make([]attrib.Sig, k)
			for i := range f.DKIM {
				s := &f.DKIM[i]
				s.Domain, s.Selector = r.str(), r.str()
				s.Status = attrib.DKIMStatus(r.str())
				s.Err, s.WhyEn, s.WhyJa = r.str(), r.str(), r.str()
			}
		}
		if k := r.count(); k > 0 {
			f.BATV = make([]attrib.BATVCheck, k)
			for i := range f.BATV {
				c := &f.BATV[i]
				c.Addr, c.Domain = r.str(), r.str()
				c.Result = attrib.BATVResult(r.uint())
				c.Day = int(r.int())
			}
		}
		f.AuthHeader = r.str()
		f.OriginatingIP = r.str()
		if fake {
			f.Fake = &attrib.Fake{}
			if k := r.count(); k > 0 {
				f.Fake.Reasons = make([]attrib.Item, k)
				for i := range f.Fake.Reasons {
					it := &f.Fake.Reasons[i]
					it.Code = r.str()
					r.bools(&it.SupportsOurs)
					it.Weight = math.Float64frombits(r.uint())
					it.En, it.Ja = r.str(), r.str()
				}
			}
		}
		n.facts = f
	}
	if r.err == nil && len(r.b) != 0 {
		r.err = errors.New("trailing bytes")
	}
	if r.err != nil {
		return fmt.Errorf("diagnose: digest: %w", r.err)
	}
	*d = n
	return nil
}

type digestEnc struct{ b []byte }

func (e *digestEnc) uint(v uint64) { e.b = binary.AppendUvarint(e.b, v) }
func (e *digestEnc) int(v int64)   { e.b = binary.AppendVarint(e.b, v) }
func (e *digestEnc) str(s string) {
	e.uint(uint64(len(s)))
	e.b = append(e.b, s...)
}
func (e *digestEnc) strs(s []string) {
	e.uint(uint64(len(s)))
	for _, v := range s {
		e.str(v)
	}
}

// bools packs up to 8 flags in a byte.
func (e *digestEnc) bools(v ...bool) {
	var x byte
	for i, b := range v {
		if b {
			x |= 1 << i
		}
	}
	e.b = append(e.b, x)
}

// time writes t as Unix seconds, nanoseconds and its zone offset in
// seconds; a zero time as a single 0 flag byte.
func (e *digestEnc) time(t time.Time) {
	if t.IsZero() {
		e.b = append(e.b, 0)
		return
	}
	e.b = append(e.b, 1)
	_, off := t.Zone()
	e.int(t.Unix())
	e.uint(uint64(t.Nanosecond()))
	e.int(int64(off))
}

type digestDec struct {
	b   []byte
	err error
	// whole is the rest of the data as one string, made at the first
	// string read, which the strings are cut from: a digest has some
	// thirty strings, and one allocation in place of thirty is a good
	// part of a cold start's reading time (a million digests).
	whole string
}

func (r *digestDec) fail(what string) {
	if r.err == nil {
		r.err = fmt.Errorf("corrupt %s", what)
	}
	r.b = nil
}

func (r *digestDec) uint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.fail("number")
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *digestDec) int() int64 {
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.fail("number")
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *digestDec) count() int {
	n := r.uint()
	if n > maxDigestItems || n > uint64(len(r.b)) {
		r.fail("length")
		return 0
	}
	return int(n)
}

func (r *digestDec) str() string {
	n := r.uint()
	if n > uint64(len(r.b)) {
		r.fail("string")
		return ""
	}
	if n == 0 {
		return ""
	}
	if r.whole == "" {
		r.whole = string(r.b)
	}
	at := len(r.whole) - len(r.b)
	s := r.whole[at : at+int(n)]
	r.b = r.b[n:]
	return s
}

func (r *digestDec) strs() []string {
	n := r.count()
	if n == 0 {
		return nil
	}
	s := make([]string, n)
	for i := range s {
		s[i] = r.str()
	}
	return s
}

func (r *digestDec) bools(v ...*bool) {
	if len(r.b) == 0 {
		r.fail("flags")
		return
	}
	x := r.b[0]
	r.b = r.b[1:]
	for i, p := range v {
		*p = x&(1<<i) != 0
	}
}

func (r *digestDec) time() time.Time {
	if len(r.b) == 0 {
		r.fail("time")
		return time.Time{}
	}
	flag := r.b[0]
	r.b = r.b[1:]
	switch flag {
	case 0:
		return time.Time{}
	case 1:
	default:
		r.fail("time")
		return time.Time{}
	}
	sec, nsec, off := r.int(), r.uint(), r.int()
	// time.Parse takes zone offsets up to 24 hours and 60 minutes.
	if nsec >= 1e9 || off < -(24*3600+3600) || off > 24*3600+3600 {
		r.fail("time")
		return time.Time{}
	}
	t := time.Unix(sec, int64(nsec))
	if off == 0 {
		return t.UTC()
	}
	return t.In(time.FixedZone("", int(off)))
}
