package dmarcrpt

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"path"
	"strings"

	"github.com/emersion/go-message"
	_ "github.com/emersion/go-message/charset" // header charsets beyond UTF-8 and ASCII
)

// maxParts bounds the MIME parts looked at in one mail.
const maxParts = 64

// ParseMessage reads the report a report mail carries (RFC 7489 section
// 7.2.1.1: the XML, gzip'd or zipped, as the body or an attachment). It
// returns ErrNotReport for a mail with no such part, so an intake can try
// it on every non-bounce and move on.
func ParseMessage(msg []byte) (*Report, error) {
	e, err := message.Read(bytes.NewReader(msg))
	if err != nil && !message.IsUnknownCharset(err) && !message.IsUnknownEncoding(err) {
		return nil, fmt.Errorf("%w: %w", ErrNotReport, err)
	}
	var first error
	parts := 0
	var found *Report
	errStop := errors.New("stop")
	werr := e.Walk(func(_ []int, p *message.Entity, err error) error {
		if err != nil && !message.IsUnknownCharset(err) && !message.IsUnknownEncoding(err) {
			return err
		}
		if parts++; parts > maxParts {
			return errStop
		}
		if !candidate(p.Header) {
			return nil
		}
		data, err := io.ReadAll(io.LimitReader(p.Body, MaxSize+1))
		if err != nil {
			if first == nil {
				first = fmt.Errorf("%w: attachment: %w", ErrMalformed, err)
			}
			return nil
		}
		r, err := Parse(data)
		if err != nil {
			if first == nil || errors.Is(first, ErrNotReport) {
				first = err
			}
			return nil
		}
		found = r
		return errStop
	})
	if found != nil {
		return found, nil
	}
	if first != nil {
		return nil, first
	}
	if werr != nil && !errors.Is(werr, errStop) {
		return nil, fmt.Errorf("%w: %w", ErrNotReport, werr)
	}
	return nil, ErrNotReport
}

// candidate reports whether a part may hold the report: an XML, gzip or
// zip type, or a generic type with such a file name.
func candidate(h message.Header) bool {
	t, params, _ := h.ContentType()
	switch t {
	case "text/xml", "application/xml", "application/gzip", "application/x-gzip", "application/zip",
		"application/x-zip-compressed", "application/x-zip", "application/gzip-compressed":
		return true
	case "multipart/mixed", "multipart/alternative", "multipart/related", "multipart/report":
		return false
	}
	name := params["name"]
	if _, dp, err := mime.ParseMediaType(h.Get("Content-Disposition")); err == nil && dp["filename"] != "" {
		name = dp["filename"]
	}
	name = strings.ToLower(name)
	switch {
	case strings.HasSuffix(name, ".xml.gz"), strings.HasSuffix(name, ".xml"), strings.HasSuffix(name, ".zip"), path.Ext(name) == ".gz":
		return true
	}
	return false
}
