package gen

import (
	"strconv"
	"time"
)

// Planted CloudTrail records: T1021.008 positives (shapes from the
// stratus, AWS-docs and EventBridge samples) and the tricky negatives.

// positive writes one planted positive and returns its decoded eventName.
func (c *ctWriter) positive(b []byte, kind string, fail bool) ([]byte, string) {
	id := pick(&c.r, c.a.humans)
	in := pick(&c.r, c.g.instances)
	switch kind {
	case KindStartSession, KindEscaped:
		raw := "StartSession"
		if kind == KindEscaped {
			raw = `Start\u0053ession`
		}
		b = c.head(b, "1.08", id, "ssm.amazonaws.com", raw, id.ip, id.ua(&c.r))
		b = c.denied(b, fail, "AccessDenied", id, "ssm:StartSession", "arn:aws:ec2:"+c.g.name+":"+c.a.id+":instance/"+in.id)
		b = fobj(b, "requestParameters")
		b = fstr(b, "target", in.id)
		if c.r.chance(300) {
			b = fstr(b, "documentName", "AWS-StartPortForwardingSession")
		}
		b = append(b, '}')
		if fail {
			b = fnull(b, "responseElements")
		} else {
			b = c.sessionResponse(b, id, true)
		}
		return c.ssmTail(b, id), "StartSession"
	case KindResumeSession, KindTerminateSession:
		name := "ResumeSession"
		if kind == KindTerminateSession {
			name = "TerminateSession"
		}
		b = c.head(b, "1.08", id, "ssm.amazonaws.com", name, id.ip, id.ua(&c.r))
		sess := c.sessionID(id)
		b = c.denied(b, fail, "AccessDenied", id, "ssm:"+name, "arn:aws:ssm:"+c.g.name+":"+c.a.id+":session/"+sess)
		b = fobj(b, "requestParameters")
		b = fstr(b, "sessionId", sess)
		b = append(b, '}')
		switch {
		case fail:
			b = fnull(b, "responseElements")
		case name == "ResumeSession":
			b = c.sessionResponseFor(b, sess, true)
		default:
			b = c.sessionResponseFor(b, sess, false)
		}
		return c.ssmTail(b, id), name
	case KindSendCommand:
		return c.sendCommand(b, id, fail), "SendCommand"
	case KindStartAutomation:
		if c.r.chance(500) || fail {
			id = c.a.events
		}
		b = c.head(b, "1.08", id, "ssm.amazonaws.com", "StartAutomationExecution", id.ip, id.ua(&c.r))
		b = c.denied(b, fail, "AccessDenied", id, "ssm:StartAutomationExecution", "arn:aws:ssm:"+c.g.name+"::automation-definition/AWS-RestartEC2Instance:$DEFAULT")
		if fail {
			b = fnull(b, "requestParameters")
			b = fnull(b, "responseElements")
		} else {
			b = fobj(b, "requestParameters")
			b = fstr(b, "documentName", "AWS-RestartEC2Instance")
			b = fobj(b, "parameters")
			b = farr(b, "InstanceId")
			b = appendString(elem(b), in.id)
			b = append(b, ']', '}', '}')
			b = fobj(b, "responseElements")
			b = append(key(b, "automationExecutionId"), '"')
			b = append(c.r.appendUUID(b), '"', '}')
		}
		return c.ssmTail(b, id), "StartAutomationExecution"
	case KindSendSSHPublicKey, KindSendSerialConsoleSSHPublicKey:
		name := "SendSSHPublicKey"
		if kind == KindSendSerialConsoleSSHPublicKey {
			name = "SendSerialConsoleSSHPublicKey"
		}
		b = c.head(b, "1.08", id, "ec2-instance-connect.amazonaws.com", name, id.ip, id.ua(&c.r))
		b = c.denied(b, fail, "AccessDenied", id, "ec2-instance-connect:"+name, "arn:aws:ec2:"+c.g.name+":"+c.a.id+":instance/"+in.id)
		b = fobj(b, "requestParameters")
		b = fstr(b, "instanceId", in.id)
		if name == "SendSSHPublicKey" {
			b = fstr(b, "instanceOSUser", pick(&c.r, []string{"ec2-user", "ubuntu", "admin"}))
		} else {
			b = fbool(b, "monitorMode", false)
		}
		b = append(key(b, "sSHPublicKey"), `"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI`...)
		b = append(c.r.appendRand(b, alnum, 43), '"')
		if name != "SendSSHPublicKey" {
			b = fint(b, "serialPort", 0)
		}
		b = append(b, '}')
		var reqID []byte
		if fail {
			b = fnull(b, "responseElements")
		} else {
			b = fobj(b, "responseElements")
			b = append(key(b, "requestId"), '"')
			start := len(b)
			b = c.r.appendUUID(b)
			reqID = b[start:]
			b = append(b, '"')
			b = fbool(b, "success", true)
			b = append(b, '}')
		}
		// The response echoes the requestID.
		if reqID != nil {
			b = append(key(b, "requestID"), '"')
			b = append(b, reqID...)
			b = append(key(append(b, '"'), "eventID"), '"')
			start := len(b)
			b = c.r.appendUUID(b)
			c.eventID = b[start:len(b):len(b)]
			b = append(b, '"')
		} else {
			b = c.ids(b, false)
		}
		b = fbool(b, "readOnly", false)
		return c.tail(b, true, "Management", c.tls(id, "ec2-instance-connect"), ""), name
	case KindOpenTunnel:
		b = c.head(b, "1.08", id, "ec2-instance-connect.amazonaws.com", "OpenTunnel", id.ip, id.ua(&c.r))
		eice := "arn:aws:ec2:" + c.g.name + ":" + c.a.id + ":instance-connect-endpoint/" + c.g.eice
		b = c.denied(b, fail, "AccessDenied", id, "ec2-instance-connect:OpenTunnel", eice)
		b = fobj(b, "requestParameters")
		b = fstr(b, "instanceConnectEndpointId", c.g.eice)
		b = fstr(b, "maxTunnelDuration", "3600")
		b = fstr(b, "remotePort", pick(&c.r, []string{"22", "22", "3389"}))
		b = fstr(b, "privateIpAddress", in.privateIP)
		b = append(b, '}')
		b = fnull(b, "responseElements")
		b = c.ids(b, false)
		b = fbool(b, "readOnly", false)
		b = farr(b, "resources")
		b = append(elem(b), '{')
		b = fstr(b, "accountId", c.a.id)
		b = fstr(b, "type", "AWS::EC2::InstanceConnectEndpoint")
		b = fstr(b, "ARN", eice)
		b = append(b, '}', ']')
		return c.tail(b, true, "Management", c.tls(id, "ec2-instance-connect"), ""), "OpenTunnel"
	case KindEnableSerialConsoleAccess:
		b = c.head(b, "1.10", id, "ec2.amazonaws.com", "EnableSerialConsoleAccess", id.ip, id.ua(&c.r))
		if fail {
			b = fstr(b, "errorCode", "Client.UnauthorizedOperation")
			b = fstr(b, "errorMessage", "You are not authorized to perform this operation. User: "+id.arn+
				" is not authorized to perform: ec2:EnableSerialConsoleAccess because no identity-based policy allows the ec2:EnableSerialConsoleAccess action")
		}
		b = fobj(b, "requestParameters")
		b = fstr(b, "EnableSerialConsoleAccessRequest", "")
		b = append(b, '}')
		if fail {
			b = fnull(b, "responseElements")
		} else {
			b = fobj(b, "responseElements")
			b = fobj(b, "EnableSerialConsoleAccessResponse")
			b = append(key(b, "requestId"), '"')
			b = append(c.r.appendUUID(b), '"')
			b = fbool(b, "serialConsoleAccessEnabled", true)
			b = fstr(b, "xmlns", "http://ec2.amazonaws.com/doc/2016-11-15/")
			b = append(b, '}', '}')
		}
		b = c.ids(b, false)
		b = fbool(b, "readOnly", false)
		return c.tail(b, true, "Management", c.tls(id, "ec2"), ""), "EnableSerialConsoleAccess"
	}
	panic("BUG: unknown AWS kind " + kind)
}

// denied writes errorCode and errorMessage for a refused call.
func (c *ctWriter) denied(b []byte, fail bool, code string, id *identity, action, resource string) []byte {
	if !fail {
		return b
	}
	b = fstr(b, "errorCode", code)
	return fstr(b, "errorMessage", "User: "+id.arn+" is not authorized to perform: "+action+" on resource: "+resource+
		" because no identity-based policy allows the "+action+" action")
}

func (c *ctWriter) ssmTail(b []byte, id *identity) []byte {
	b = c.ids(b, false)
	b = fbool(b, "readOnly", false)
	return c.tail(b, true, "Management", c.tls(id, "ssm"), "")
}

func (c *ctWriter) sessionID(id *identity) string {
	return id.name + "-" + c.r.str(hexLower[:10]+"abcdefghijklmnopqrstuvwxyz", 26)
}

func (c *ctWriter) sessionResponse(b []byte, id *identity, stream bool) []byte {
	return c.sessionResponseFor(b, c.sessionID(id), stream)
}

func (c *ctWriter) sessionResponseFor(b []byte, sess string, stream bool) []byte {
	b = fobj(b, "responseElements")
	b = fstr(b, "sessionId", sess)
	if stream {
		b = fstr(b, "tokenValue", "Value hidden due to security reasons.")
		b = append(key(b, "streamUrl"), `"wss://ssmmessages.`...)
		b = append(b, c.g.name...)
		b = append(b, ".amazonaws.com/v1/data-channel/"...)
		b = append(b, sess...)
		b = append(b, "?role=publish_subscribe&cell-number="...)
		b = append(c.r.appendRand(b, alnum, 96), '"')
	}
	return append(b, '}')
}

func (c *ctWriter) sendCommand(b []byte, id *identity, fail bool) []byte {
	if c.r.chance(400) {
		id = c.a.humans[0] // ci-deploy
	}
	b = c.head(b, "1.08", id, "ssm.amazonaws.com", "SendCommand", id.ip, id.ua(&c.r))
	doc := "AWS-RunShellScript"
	if c.r.chance(200) {
		doc = "AWS-RunPowerShellScript"
	}
	var insts [3]string
	n := c.r.between(1, 3)
	for i := 0; i < n; i++ {
		insts[i] = pick(&c.r, c.g.instances).id
	}
	b = c.denied(b, fail, "AccessDenied", id, "ssm:SendCommand", "arn:aws:ssm:"+c.g.name+"::document/"+doc)
	b = fobj(b, "requestParameters")
	b = fstr(b, "documentName", doc)
	b = c.strArray(b, "instanceIds", insts[:n])
	b = fbool(b, "interactive", false)
	b = fstr(b, "parameters", "HIDDEN_DUE_TO_SECURITY_REASONS")
	b = append(b, '}')
	if fail {
		b = fnull(b, "responseElements")
		return c.ssmTail(b, id)
	}
	b = fobj(b, "responseElements")
	b = fobj(b, "command")
	b = append(b, `"alarmConfiguration":{"alarms":[],"ignorePollAlarmFailure":false},"clientName":"","clientSourceId":"","cloudWatchOutputConfig":{"cloudWatchLogGroupName":"","cloudWatchOutputEnabled":false}`...)
	b = append(key(b, "commandId"), '"')
	b = append(c.r.appendUUID(b), '"')
	b = append(b, `,"comment":"","completedCount":0,"deliveryTimedOutCount":0`...)
	b = fstr(b, "documentName", doc)
	b = append(b, `,"documentVersion":"$DEFAULT","errorCount":0`...)
	b = append(key(b, "expiresAfter"), '"')
	b = c.t.Add(2*time.Hour).AppendFormat(b, "Jan 2, 2006, 3:04:05 PM")
	b = append(b, '"')
	b = append(b, `,"hasCancelCommandSignature":false,"hasSendCommandSignature":false`...)
	b = c.strArray(b, "instanceIds", insts[:n])
	b = append(b, `,"interactive":false,"maxConcurrency":"50","maxErrors":"0","notificationConfig":{"notificationArn":"","notificationEvents":[],"notificationType":""},"outputS3BucketName":"","outputS3KeyPrefix":""`...)
	b = fstr(b, "outputS3Region", c.g.name)
	b = fstr(b, "parameters", "HIDDEN_DUE_TO_SECURITY_REASONS")
	b = append(key(b, "requestedDateTime"), '"')
	b = c.t.AppendFormat(b, "Jan 2, 2006, 3:04:05 PM")
	b = append(b, '"')
	b = append(b, `,"serviceRole":"","status":"Pending","statusDetails":"Pending"`...)
	b = fint(b, "targetCount", int64(n))
	b = append(b, `,"targets":[],"timeoutSeconds":3600,"triggeredAlarms":[]}}`...)
	return c.ssmTail(b, id)
}

func (c *ctWriter) strArray(b []byte, k string, vs []string) []byte {
	b = farr(b, k)
	for _, v := range vs {
		b = appendString(elem(b), v)
	}
	return append(b, ']')
}

// decoy writes one tricky negative and returns its eventName.
func (c *ctWriter) decoy(b []byte, kind string) ([]byte, string) {
	id := pick(&c.r, c.a.humans)
	switch kind {
	case "name-in-request-parameters":
		b = c.head(b, "1.08", id, "ssm.amazonaws.com", "GetCommandInvocation", id.ip, id.ua(&c.r))
		b = fobj(b, "requestParameters")
		b = append(key(b, "commandId"), '"')
		b = append(c.r.appendUUID(b), '"')
		b = fstr(b, "instanceId", pick(&c.r, c.g.instances).id)
		b = fstr(b, "comment", "StartSession")
		b = append(b, '}')
		b = fnull(b, "responseElements")
		return c.readTail(b, id, "ssm"), "GetCommandInvocation"
	case "name-in-encryption-context":
		fn := c.a.services[0]
		b = c.head(b, "1.08", fn, "kms.amazonaws.com", "Decrypt", fn.ip, fn.ua(&c.r))
		b = fobj(b, "requestParameters")
		b = fobj(b, "encryptionContext")
		b = fstr(b, "aws:lambda:FunctionArn", "arn:aws:lambda:"+c.g.name+":"+c.a.id+":function:SendSSHPublicKey")
		b = append(b, '}')
		b = fstr(b, "encryptionAlgorithm", "SYMMETRIC_DEFAULT")
		b = append(b, '}')
		b = fnull(b, "responseElements")
		b = c.ids(b, false)
		b = fbool(b, "readOnly", true)
		b = c.kmsResource(b, c.g.kmsKeys[0])
		return c.tail(b, true, "Management", c.tls(fn, "kms"), ""), "Decrypt"
	case "ssm-describe-sessions":
		b = c.describeSessions(b, id)
		b = fnull(b, "responseElements")
		return c.readTail(b, id, "ssm"), "DescribeSessions"
	case "ssm-get-connection-status":
		b = c.getConnectionStatus(b, id)
		b = fnull(b, "responseElements")
		return c.readTail(b, id, "ssm"), "GetConnectionStatus"
	case "ssm-list-command-invocations":
		b = c.listCommandInvocations(b, id)
		b = fnull(b, "responseElements")
		return c.readTail(b, id, "ssm"), "ListCommandInvocations"
	case "ssm-start-associations-once":
		b = c.head(b, "1.08", id, "ssm.amazonaws.com", "StartAssociationsOnce", id.ip, id.ua(&c.r))
		b = fobj(b, "requestParameters")
		b = farr(b, "associationIds")
		b = append(elem(b), '"')
		b = append(c.r.appendUUID(b), '"', ']', '}')
		b = fnull(b, "responseElements")
		return c.ssmTail(b, id), "StartAssociationsOnce"
	case "ssm-start-change-request":
		b = c.head(b, "1.08", id, "ssm.amazonaws.com", "StartChangeRequestExecution", id.ip, id.ua(&c.r))
		b = fobj(b, "requestParameters")
		b = fstr(b, "documentName", "AWS-HelloWorldChangeTemplate")
		b = farr(b, "runbooks")
		b = append(elem(b), '{')
		b = fstr(b, "documentName", "AWS-RestartEC2Instance")
		b = fobj(b, "parameters")
		b = c.strArray(b, "InstanceId", []string{pick(&c.r, c.g.instances).id})
		b = append(b, '}', '}', ']', '}')
		b = fobj(b, "responseElements")
		b = append(key(b, "automationExecutionId"), '"')
		b = append(c.r.appendUUID(b), '"', '}')
		return c.ssmTail(b, id), "StartChangeRequestExecution"
	case "ec2-get-serial-console-status":
		b = c.head(b, "1.10", id, "ec2.amazonaws.com", "GetSerialConsoleAccessStatus", id.ip, id.ua(&c.r))
		b = fobj(b, "requestParameters")
		b = fstr(b, "GetSerialConsoleAccessStatusRequest", "")
		b = append(b, '}')
		b = fnull(b, "responseElements")
		return c.readTail(b, id, "ec2"), "GetSerialConsoleAccessStatus"
	case "eic-describe-endpoints":
		b = c.head(b, "1.10", id, "ec2.amazonaws.com", "DescribeInstanceConnectEndpoints", id.ip, id.ua(&c.r))
		b = fobj(b, "requestParameters")
		b = fstr(b, "DescribeInstanceConnectEndpointsRequest", "")
		b = append(b, '}')
		b = fnull(b, "responseElements")
		return c.readTail(b, id, "ec2"), "DescribeInstanceConnectEndpoints"
	case "iot-open-tunnel":
		b = c.head(b, "1.08", id, "api.tunneling.iot.amazonaws.com", "OpenTunnel", id.ip, id.ua(&c.r))
		thing := "edge-gateway-" + strconv.Itoa(c.r.intn(100))
		tunnel := c.r.uuid()
		b = fobj(b, "requestParameters")
		b = fstr(b, "description", "field support session")
		b = fobj(b, "destinationConfig")
		b = fstr(b, "thingName", thing)
		b = c.strArray(b, "services", []string{"SSH"})
		b = append(b, '}')
		b = append(b, `,"timeoutConfig":{"maxLifetimeTimeoutMinutes":720}}`...)
		b = fobj(b, "responseElements")
		b = fstr(b, "tunnelId", tunnel)
		b = fstr(b, "tunnelArn", "arn:aws:iot:"+c.g.name+":"+c.a.id+":tunnel/"+tunnel)
		b = fstr(b, "sourceAccessToken", "HIDDEN_DUE_TO_SECURITY_REASONS")
		b = fstr(b, "destinationAccessToken", "HIDDEN_DUE_TO_SECURITY_REASONS")
		b = append(b, '}')
		b = c.ids(b, false)
		b = fbool(b, "readOnly", false)
		return c.tail(b, true, "Management", c.tls(id, "api.tunneling.iot"), ""), "OpenTunnel"
	case "escaped-slash-user-agent":
		in := pick(&c.r, c.g.instances)
		c.uaRaw = true
		b = c.head(b, "1.11", in.ident, "ssm.amazonaws.com", "UpdateInstanceInformation", in.ip,
			`aws-sdk-go\/1.44.260 (go1.20.8; linux; amd64) amazon-ssm-agent\/`)
		b = fraw(b, "requestParameters", in.uii)
		b = fnull(b, "responseElements")
		b = c.ids(b, false)
		b = fbool(b, "readOnly", false)
		return c.tail(b, true, "Management", c.g.tls12["ssm"], ""), "UpdateInstanceInformation"
	}
	panic("BUG: unknown AWS decoy " + kind)
}

func (c *ctWriter) readTail(b []byte, id *identity, svc string) []byte {
	b = c.ids(b, false)
	b = fbool(b, "readOnly", true)
	return c.tail(b, true, "Management", c.tls(id, svc), "")
}
