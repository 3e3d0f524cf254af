package gcpbq

import (
	"cloud.google.com/go/bigquery"

	"github.com/allot-dev/allot/cost"
)

// tags builds a line item's tags from the group's label arrays:
//
//   - labels (resource labels) with their keys as written;
//   - system_labels with their keys as written (they carry a domain such
//     as goog- or compute.googleapis.com/); a resource label wins over a
//     system label with the same key;
//   - project.labels as "project:<key>";
//   - Resource Manager tags as "tag:<key>" (the short key name); when two
//     tags share a key, the one bound to the resource wins over an
//     inherited one, then the one with the smaller namespace.
func (d *decoder) tags(vals []bigquery.Value, row int64) (cost.Tags, error) {
	out := cost.Tags{}
	system, err := d.pairs(vals, row, "system_labels")
	if err != nil {
		return nil, err
	}
	for _, kv := range system {
		out[kv[0]] = kv[1]
	}
	labels, err := d.pairs(vals, row, "labels")
	if err != nil {
		return nil, err
	}
	for _, kv := range labels {
		out[kv[0]] = kv[1]
	}
	project, err := d.pairs(vals, row, "project_labels")
	if err != nil {
		return nil, err
	}
	for _, kv := range project {
		out[ProjectLabelPrefix+kv[0]] = kv[1]
	}
	if err := d.resourceTags(vals, row, out); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

// pairs decodes a REPEATED RECORD<key STRING, value STRING> column.
func (d *decoder) pairs(vals []bigquery.Value, row int64, col string) ([][2]string, error) {
	v := d.get(vals, col)
	if v == nil {
		return nil, nil
	}
	list, ok := v.([]bigquery.Value)
	if !ok {
		return nil, d.fail(row, col, "not a repeated key/value record: %T", v)
	}
	out := make([][2]string, 0, len(list))
	for i, e := range list {
		rec, ok := e.([]bigquery.Value)
		if !ok || len(rec) < 2 {
			return nil, d.fail(row, col, "element %d is not a key/value record", i)
		}
		k, _ := rec[0].(string)
		val, _ := rec[1].(string)
		if k == "" {
			return nil, d.fail(row, col, "element %d has an empty key", i)
		}
		out = append(out, [2]string{k, val})
	}
	return out, nil
}

// resourceTags adds the REPEATED RECORD<key, value, inherited, namespace>
// column tags to out.
func (d *decoder) resourceTags(vals []bigquery.Value, row int64, out cost.Tags) error {
	v := d.get(vals, "tags")
	if v == nil {
		return nil
	}
	list, ok := v.([]bigquery.Value)
	if !ok {
		return d.fail(row, "tags", "not a repeated record: %T", v)
	}
	type chosen struct {
		inherited bool
		namespace string
	}
	seen := map[string]chosen{}
	for i, e := range list {
		rec, ok := e.([]bigquery.Value)
		if !ok || len(rec) < 4 {
			return d.fail(row, "tags", "element %d is not a key/value/inherited/namespace record", i)
		}
		k, _ := rec[0].(string)
		val, _ := rec[1].(string)
		inh, _ := rec[2].(bool)
		ns, _ := rec[3].(string)
		if k == "" {
			return d.fail(row, "tags", "element %d has an empty key", i)
		}
		if prev, dup := seen[k]; dup {
			better := prev.inherited && !inh || prev.inherited == inh && ns < prev.namespace
			if !better {
				continue
			}
		}
		seen[k] = chosen{inherited: inh, namespace: ns}
		out[ResourceTagPrefix+k] = val
	}
	return nil
}
