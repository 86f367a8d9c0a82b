package rule

import "time"

// SuppressionWindow is the rule's options: suppression_window (0: none).
// A sweep (package sweep) needs it to decide a suppressed detection
// exactly across runs: its slot's earlier detections must be complete.
func (m *Multi) SuppressionWindow() time.Duration { return m.suppress }
