package flow

import (
	"oawizard/flow/sdkimport"
	"oawizard/flow/verdict"
)

// sdkVerdictStats reduces an import's counts to what step 2's rules read.
// A second export's title row is not an identified row.
func sdkVerdictStats(s sdkimport.Stats) verdict.SDKStats {
	return verdict.SDKStats{
		Rows:               s.Rows - s.Problem(sdkimport.ReasonRepeatedTitles),
		WithOpenID:         s.WithOpenID,
		WithUnionID:        s.WithUnionID,
		NoOpenID:           s.Problem(sdkimport.ReasonNoOpenID),
		PlaceholderOpenID:  s.Problem(sdkimport.ReasonPlaceholderOpenID),
		MalformedOpenID:    s.Problem(sdkimport.ReasonMalformedOpenID),
		DuplicateOpenID:    s.Problem(sdkimport.ReasonDuplicateOpenID),
		PlaceholderUnionID: s.Problem(sdkimport.ReasonPlaceholderUnionID),
		MalformedUnionID:   s.Problem(sdkimport.ReasonMalformedUnionID),
		UnionIDIsOpenID:    s.Problem(sdkimport.ReasonUnionIDIsOpenID),
	}
}
