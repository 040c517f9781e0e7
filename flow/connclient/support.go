package connclient

import (
	"context"

	"oawizard/connector/api"
)

// The snapshot staff read, as the connector's contract package defines it.
type (
	Words       = api.Words
	Snapshot    = api.Snapshot
	SupportItem = api.SupportItem
	SupportSync = api.SupportSync
	SupportCode = api.SupportCode
)

// PublishSnapshot sends the snapshot and returns the support code, the
// same one while it lives, a new one after it expired.
func (c *Client) PublishSnapshot(ctx context.Context, s Snapshot) (SupportCode, error) {
	var out SupportCode
	err := c.do(ctx, "POST", "/v1/support/snapshot", s, &out)
	return out, err
}
