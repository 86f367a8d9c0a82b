package lint

import (
	"strings"

	"github.com/retrohunt/retrohunt/scan/rule"
)

// wrongName is a name that rules use but that no log ever contains, with
// the evidence and the names that are real. This is data: add a row when
// a rule in the wild is found chasing a name that does not exist.
type wrongName struct {
	text     string // matched case-insensitively inside literals and patterns
	msg, fix string
}

// wrongNames: names in rules seen in the wild that no log carries. Each
// msg says what is logged instead, as Microsoft Learn and AWS document
// it and public detection rules (Elastic, Panther) match it.
var wrongNames = []wrongName{
	{
		text: "SERIALCONSOLE/CONSOLESERVICES/ACCESS",
		msg:  "SERIALCONSOLE/CONSOLESERVICES/ACCESS is not an Azure operation: Serial Console connections are logged as MICROSOFT.SERIALCONSOLE/SERIALPORTS/CONNECT/ACTION",
		fix:  `$e.metadata.product_event_type = "MICROSOFT.SERIALCONSOLE/SERIALPORTS/CONNECT/ACTION" nocase`,
	},
	{
		text: "StartSSHSession",
		msg:  "StartSSHSession appears in no public CloudTrail record or AWS document; EC2 Instance Connect logs SendSSHPublicKey, SendSerialConsoleSSHPublicKey and OpenTunnel (ec2-instance-connect.amazonaws.com)",
		fix:  `replace "StartSSHSession" with "SendSerialConsoleSSHPublicKey", "OpenTunnel"`,
	},
}

func literal(text string, at rule.Pos) []Finding {
	var out []Finding
	for _, w := range wrongNames {
		if strings.Contains(strings.ToLower(text), strings.ToLower(w.text)) {
			out = append(out, Finding{Pos: at, Level: Warning, Msg: w.msg, Fix: w.fix})
		}
	}
	return out
}
