package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/bouncewatch/bouncewatch/dmarcrpt"
	"github.com/bouncewatch/bouncewatch/ingest"
	"github.com/bouncewatch/bouncewatch/store"
)

// dmarcImport counts what import --dmarc did.
type dmarcImport struct {
	files, added, known, notReport int
}

// importDMARC stores the DMARC aggregate reports under paths: report files
// (.xml, .xml.gz, .zip) and report mails (.eml, a Maildir). A file that is
// neither is counted and named, the rest go on.
func importDMARC(ctx context.Context, st *store.Store, paths []string, report func(error), progress func(dmarcImport)) dmarcImport {
	var n dmarcImport
	one := func(path string) {
		n.files++
		defer progress(n)
		f, err := os.Open(path)
		if err != nil {
			report(err)
			return
		}
		data, err := io.ReadAll(io.LimitReader(f, dmarcrpt.MaxSize+1))
		f.Close()
		if err != nil {
			report(fmt.Errorf("%s: %w", path, err))
			return
		}
		if _, perr := dmarcrpt.Parse(data); !errors.Is(perr, dmarcrpt.ErrNotReport) {
			added, err := st.PutDMARC(ctx, path, data)
			switch {
			case err != nil:
				report(err)
			case added:
				n.added++
			default:
				n.known++
			}
			if perr != nil {
				report(fmt.Errorf("%s: kept with its error: %w", path, perr))
			}
			return
		}
		if _, perr := dmarcrpt.ParseMessage(data); errors.Is(perr, dmarcrpt.ErrNotReport) {
			n.notReport++
			report(fmt.Errorf("%s: %w", path, perr))
			return
		}
		abs, _ := filepath.Abs(path)
		before, _ := st.DMARCCount(ctx)
		if err := st.PutMail(ctx, ingest.Mail{Source: "file:" + abs, Position: "0", Data: data}); err != nil {
			report(err)
			return
		}
		after, _ := st.DMARCCount(ctx)
		if after > before {
			n.added++
		} else {
			n.known++
		}
	}
	for _, p := range paths {
		if ctx.Err() != nil {
			break
		}
		err := filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				report(err)
				return nil
			}
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if d.Type().IsRegular() {
				one(path)
			}
			return nil
		})
		if err != nil && ctx.Err() == nil {
			report(err)
		}
	}
	return n
}
