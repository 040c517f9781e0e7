package sdkimport

import (
	"bytes"
	"strings"
)

// Reasons a row is not imported, or keeps its openid but loses its unionid.
// They are the JSON's reason ids and, prefixed with "sdk.reason.", the
// translation keys of the window's words.
const (
	ReasonBlankLine          = "blank_line"          // nothing in any cell; not a row
	ReasonNoOpenID           = "no_openid"           // skipped
	ReasonPlaceholderOpenID  = "placeholder_openid"  // skipped: "null", "undefined", "0"…
	ReasonMalformedOpenID    = "malformed_openid"    // skipped
	ReasonDuplicateOpenID    = "duplicate_openid"    // skipped
	ReasonTooLong            = "too_long"            // skipped: a row or cell over the cap
	ReasonRepeatedTitles     = "repeated_titles"     // skipped: a second export's title row
	ReasonBadEncoding        = "bad_encoding"        // skipped: bytes the file's encoding has no character for
	ReasonPlaceholderUnionID = "placeholder_unionid" // kept without unionid
	ReasonMalformedUnionID   = "malformed_unionid"   // kept without unionid
	ReasonUnionIDIsOpenID    = "unionid_is_openid"   // kept without unionid
)

// Reasons are all the reasons, in the order the window lists them.
var Reasons = []string{ReasonNoOpenID, ReasonPlaceholderOpenID, ReasonMalformedOpenID, ReasonDuplicateOpenID, ReasonTooLong,
	ReasonRepeatedTitles, ReasonBadEncoding, ReasonBlankLine, ReasonPlaceholderUnionID, ReasonMalformedUnionID, ReasonUnionIDIsOpenID}

// maxProblemLines is how many line numbers a reason keeps, for the admin to
// look at; the count is always whole.
const maxProblemLines = 10

// Problem is one reason rows were skipped or lost their unionid: how many,
// and the first lines (1-based, as a spreadsheet numbers them) where it was
// seen.
type Problem struct {
	Reason  string `json:"reason"`
	Rows    int    `json:"rows"`
	Lines   []int  `json:"lines"`
	Skipped bool   `json:"skipped"` // the row was not imported at all
}

// note counts one row under reason at line.
func (s *Stats) note(reason string, line int, skipped bool) {
	if skipped {
		s.Skipped++
	}
	for i := range s.Problems {
		if p := &s.Problems[i]; p.Reason == reason {
			p.Rows++
			if len(p.Lines) < maxProblemLines {
				p.Lines = append(p.Lines, line)
			}
			return
		}
	}
	s.Problems = append(s.Problems, Problem{Reason: reason, Rows: 1, Lines: []int{line}, Skipped: skipped})
}

// Problem returns the count of one reason (0 when it never occurred).
func (s Stats) Problem(reason string) int {
	for _, p := range s.Problems {
		if p.Reason == reason {
			return p.Rows
		}
	}
	return 0
}

// placeholders are what SDKs write where an id should be when they have
// none: JavaScript's and Java's empty values, zero, dashes. Compared
// without case.
var placeholders = map[string]bool{
	"null": true, "undefined": true, "nil": true, "none": true, "nan": true, "n/a": true, "na": true,
	"0": true, "-": true, "--": true, "—": true, "(null)": true, "[object object]": true, "false": true,
	"{}": true, "[]": true, `""`: true, "''": true,
}

// IsPlaceholder reports whether an id cell holds an empty value written out
// as text.
func IsPlaceholder(b []byte) bool {
	if len(b) > 16 {
		return false
	}
	return placeholders[strings.ToLower(string(b))]
}

// add counts one data row starting at line and keeps its user when the
// openid is usable.
func (s *scanner) add(open, union []byte, line int) error {
	s.stats.Rows++
	if s.stats.Rows > s.opt.MaxRows {
		return &Error{Kind: KindTooLarge, Detail: "more rows than the limit"}
	}
	switch {
	case len(open) == 0:
		s.stats.Blank++
		s.stats.note(ReasonNoOpenID, line, true)
		return nil
	case IsPlaceholder(open):
		s.stats.note(ReasonPlaceholderOpenID, line, true)
		return nil
	case !validID(open):
		if s.isTitleRow(open) {
			s.stats.note(ReasonRepeatedTitles, line, true)
			return nil
		}
		s.stats.MalformedOpenID++
		s.stats.note(ReasonMalformedOpenID, line, true)
		return nil
	}
	dup, err := s.seen.add(fnv64a(open))
	if err != nil {
		return err
	}
	if dup {
		s.stats.DuplicateOpenID++
		s.stats.note(ReasonDuplicateOpenID, line, true)
		return nil
	}
	s.stats.WithOpenID++
	switch {
	case len(union) == 0:
	case IsPlaceholder(union):
		s.stats.note(ReasonPlaceholderUnionID, line, false)
		union = nil
	case !validID(union):
		s.stats.MalformedUnionID++
		s.stats.note(ReasonMalformedUnionID, line, false)
		union = nil
	case bytes.Equal(union, open):
		// An SDK that puts the openid where the unionid belongs.
		s.stats.note(ReasonUnionIDIsOpenID, line, false)
		union = nil
	}
	if len(union) > 0 {
		s.stats.WithUnionID++
	}
	u := User{OpenID: string(open), UnionID: string(union)}
	if len(s.stats.Samples) < 5 {
		s.stats.Samples = append(s.stats.Samples, User{OpenID: Mask(u.OpenID), UnionID: Mask(u.UnionID)})
	}
	s.batch = append(s.batch, u)
	if len(s.batch) >= s.opt.Batch {
		return s.flush()
	}
	return nil
}

// isTitleRow says whether an openid cell is the openid column's title
// again: a second export glued under the first.
func (s *scanner) isTitleRow(open []byte) bool {
	if len(open) > 64 {
		return false
	}
	o, _, ok := detectHeader([]string{string(open)})
	return ok && o == 0
}
