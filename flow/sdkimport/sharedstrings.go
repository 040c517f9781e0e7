package sdkimport

import (
	"bufio"
	"encoding/xml"
	"io"
	"math"
	"os"
)

// sharedStrings is a workbook's table of texts, in a temporary file with
// only where each ends in memory (4 bytes a text): an export of a million
// users holds millions of distinct ids there.
type sharedStrings struct {
	f    *os.File
	end  []uint32         // text i is f[end[i-1]:end[i]]
	long map[int]struct{} // texts longer than maxRecord, not kept
	buf  []byte
}

func (wb *workbook) readSharedStrings(part string) (*sharedStrings, error) {
	ss := &sharedStrings{long: map[int]struct{}{}}
	if _, ok := wb.files[part]; !ok {
		return ss, nil // a workbook of numbers alone has none
	}
	f, err := os.CreateTemp("", "oawizard-sst-*")
	if err != nil {
		return nil, err
	}
	os.Remove(f.Name())
	ss.f = f
	d, c, err := wb.open(part)
	if err != nil {
		ss.close()
		return nil, err
	}
	defer c.Close()
	w := bufio.NewWriterSize(f, 64<<10)
	var (
		text          []byte
		pos           int64
		inT, inRPh    bool
		long, started bool
	)
	for {
		tok, err := d.RawToken()
		if err == io.EOF {
			if err := w.Flush(); err != nil {
				ss.close()
				return nil, err
			}
			return ss, nil
		}
		if err != nil {
			ss.close()
			return nil, err
		}
		switch el := tok.(type) {
		case xml.StartElement:
			switch el.Name.Local {
			case "si":
				text, long, started = text[:0], false, true
			case "t":
				inT = !inRPh
			case "rPh":
				inRPh = true
			}
		case xml.CharData:
			if inT && !long {
				if text = append(text, el...); len(text) >= maxRecord {
					long, text = true, text[:0]
				}
			}
		case xml.EndElement:
			switch el.Name.Local {
			case "t":
				inT = false
			case "rPh":
				inRPh = false
			case "si":
				if !started {
					continue
				}
				if long {
					ss.long[len(ss.end)] = struct{}{}
					text = text[:0]
				}
				if pos += int64(len(text)); pos > math.MaxUint32 {
					ss.close()
					return nil, errTooLarge
				}
				ss.end = append(ss.end, uint32(pos))
				if _, err := w.Write(text); err != nil {
					ss.close()
					return nil, err
				}
			}
		}
	}
}

// get is text i, or too long.
func (ss *sharedStrings) get(i int) (string, bool) {
	if i < 0 || i >= len(ss.end) {
		return "", false
	}
	if _, long := ss.long[i]; long {
		return "", true
	}
	from := uint32(0)
	if i > 0 {
		from = ss.end[i-1]
	}
	n := int(ss.end[i] - from)
	if n == 0 {
		return "", false
	}
	if cap(ss.buf) < n {
		ss.buf = make([]byte, n)
	}
	b := ss.buf[:n]
	if _, err := ss.f.ReadAt(b, int64(from)); err != nil {
		return "", false
	}
	return string(b), false
}

func (ss *sharedStrings) close() {
	if ss.f != nil {
		ss.f.Close()
	}
}
