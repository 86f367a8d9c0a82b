// Package text formats values for people reading a terminal: counts with
// thousands separators, sizes and durations, cells clipped to a width,
// aligned tables. Every string that comes from the data (a principal, an
// object key, a rule's description) goes through Escape, because a
// terminal is hostile territory: an escape sequence hidden in a CloudTrail
// field must not move the cursor, recolour the screen or retitle the
// window of the analyst reading the report. The HTML report gets the same
// protection from html/template.
package text
