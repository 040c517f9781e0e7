package connector

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"oawizard/connector/api"
)

// A wizard publishes what its admin sees (checks in words, sync progress;
// never follower data) with its project token, and gets a support code the
// admin reads out; staff type the code into the console.

const (
	// maxSnapshotBytes bounds a published snapshot: eight checks in two
	// languages take about 6 KB.
	maxSnapshotBytes = 64 << 10
	maxSnapshotText  = 1000 // runes in any one text
	maxSnapshotItems = 32
	// supportCodeTTL: a code lives through a working day's calls, then the
	// wizard is given a new one.
	supportCodeTTL = 24 * time.Hour
	// supportCodeLen symbols of the session codes' 31 (two session codes
	// in a row) are 59 bits: with look-ups rate-limited per member of
	// staff, guessing a live code is hopeless.
	supportCodeLen = 12
)

// The snapshot's parts, as the contract package defines them.
type (
	words        = api.Words
	snapshotBody = api.Snapshot
)

var (
	snapshotStatuses = map[string]bool{"pass": true, "warning": true, "fail": true, "unknown": true}
	syncStates       = map[string]bool{"none": true, "running": true, "done": true, "stopped": true}
)

// errSnapshot is a snapshot the console could not show faithfully.
var errSnapshot = errors.New("the snapshot is not valid")

// validateSnapshot refuses a snapshot the console could not show
// faithfully: unknown statuses, other languages, texts too long.
func validateSnapshot(b *snapshotBody) error {
	texts := []string{b.Version, b.OAAppID, b.OAName}
	ws := []words{b.Step}
	if len(b.Checks) > maxSnapshotItems {
		return errSnapshot
	}
	for _, c := range b.Checks {
		if !snapshotStatuses[c.Status] || c.ID == "" {
			return errSnapshot
		}
		texts = append(texts, c.ID, c.Raw)
		ws = append(ws, c.Title, c.Reason, c.Evidence)
	}
	if b.Sync != nil {
		if !syncStates[b.Sync.State] {
			return errSnapshot
		}
		if b.Sync.Stored < 0 || b.Sync.Total < 0 || b.Sync.WithUnionID < 0 {
			return errSnapshot
		}
		ws = append(ws, b.Sync.Stopped)
	}
	for _, w := range ws {
		for loc, t := range w {
			if loc != "zh-Hans" && loc != "en" {
				return errSnapshot
			}
			texts = append(texts, t)
		}
	}
	for _, t := range texts {
		if utf8.RuneCountInString(t) > maxSnapshotText || !utf8.ValidString(t) {
			return errSnapshot
		}
	}
	return nil
}

// newSupportCode draws a code from the alphabet of the session codes,
// which leaves out characters that look alike when read aloud.
func newSupportCode() string { return newCode() + newCode() }

// normalCode reads a code as typed: any case, with spaces or dashes. ""
// when it cannot be a code.
func normalCode(s string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		switch {
		case r == ' ' || r == '-':
			continue
		case !strings.ContainsRune(codeAlphabet, r):
			return ""
		}
		b.WriteRune(r)
	}
	if b.Len() != supportCodeLen {
		return ""
	}
	return b.String()
}

// showCode groups a code in halves for reading aloud.
func showCode(code string) string { return code[:supportCodeLen/2] + "-" + code[supportCodeLen/2:] }

func snapshotTopic(id string) string { return "staff:" + id }

// staffTopicAll wakes the console's overview on any published change.
const staffTopicAll = "staff:*"

func (s *Server) handlePublishSnapshot(w http.ResponseWriter, r *http.Request) {
	d, err := staffOf(s.st)
	if err != nil {
		writeError(w, http.StatusNotFound, api.ErrorNotFound, "this connector has no staff console", nil)
		return
	}
	var b snapshotBody
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxSnapshotBytes))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&b); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeError(w, http.StatusRequestEntityTooLarge, api.ErrorTooLarge, "the snapshot is larger than 64 KB", nil)
			return
		}
		writeError(w, http.StatusBadRequest, api.ErrorBadRequest, "the body is not a snapshot", nil)
		return
	}
	if err := validateSnapshot(&b); err != nil {
		writeError(w, http.StatusBadRequest, api.ErrorBadRequest, err.Error(), nil)
		return
	}
	now := s.cfg.Clock.Now()
	project := projectOf(r)
	code := normalCode(b.Code)
	var x supportSnapshot
	if code != "" {
		x, err = d.snapshotByCode(r.Context(), HashToken(code))
		if err != nil && !errors.Is(err, ErrNotFound) {
			// A store that cannot answer says nothing about the code: a
			// new one now would change the code the admin reads aloud.
			s.writeFailure(w, r, err)
			return
		}
	}
	if code == "" || err != nil || x.Project != project || !now.Before(x.ExpiresAt) {
		// A new wizard, or its code expired or was never ours: a new code.
		code = newSupportCode()
		x = supportSnapshot{ID: "ss_" + randomID(8), CodeHash: HashToken(code), Project: project, CreatedAt: now, ExpiresAt: now.Add(supportCodeTTL)}
	}
	b.Code = ""
	x.Body, x.UpdatedAt = mustJSON(b), now
	if err := d.putSnapshot(r.Context(), x); err != nil {
		s.writeFailure(w, r, err)
		return
	}
	s.watch.notify(snapshotTopic(x.ID))
	s.watch.notify(staffTopicAll)
	writeJSON(w, http.StatusOK, api.SupportCode{Code: showCode(code), ExpiresAt: x.ExpiresAt.UTC()})
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only plain structs of strings and numbers come here
	}
	return b
}
