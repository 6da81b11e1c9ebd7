#!/bin/bash
# usage: g.sh owner/name [pathspec...]  -- candidate-line grep at HEAD
r=$1; shift
d=/work/.mirror/${r/\//+}/repo; [ -d $d/.git ] && d=$d/.git
git --git-dir=$d grep -n -I -i -E 'jwt|techacct|technical.?account|tech_?acc|metascope|meta_scope|private.?key|privkey|priv_key|exchange|adobelogin|client.?secret|\.p12|\.pfx|\.pem|\.key\b|org_?id|/s/ent_|jsonwebtoken|pyjwt|jsrsasign|ims_?org|aio-lib-ims|ims/token|client_credentials' HEAD -- "${@:-.}" | sed "s/^HEAD://" | cut -c1-220
