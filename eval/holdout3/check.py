import csv, subprocess, os, sys
rows = list(csv.reader(open('labels.tsv'), delimiter='\t'))
hdr = rows[0]; bad=0
repos = {r[0]:r for r in csv.reader(open('repos.tsv'), delimiter='\t')}
cache={}
def gitdir(repo):
    d='/work/.mirror/'+repo.replace('/','+')+'/repo'
    return d+'/.git' if os.path.isdir(d+'/.git') else d
for r in rows[1:]:
    if len(r)!=7: print('BADLEN',r); bad+=1; continue
    repo,commit,path,line,site,kind,note=r
    if repo not in repos: print('NOREPO',repo); bad+=1
    elif repos[repo][1]!=commit: print('COMMIT MISMATCH',repo); bad+=1
    if site not in 'exchange claims sign key-read key-file config ci-secret dependency metascope indirect aem-service oauth'.split(): print('BADSITE',r); bad+=1
    if kind not in 'live test docs example'.split(): print('BADKIND',r); bad+=1
    k=(repo,path)
    if k not in cache:
        p=subprocess.run(['git','--git-dir',gitdir(repo),'show',f'{commit}:{path}'],capture_output=True)
        cache[k]=p.stdout.decode('utf-8','replace').split('\n') if p.returncode==0 else None
    lines=cache[k]
    if lines is None: print('NOFILE',repo,path); bad+=1; continue
    n=int(line)
    if n<1 or n>len(lines): print('BADLINE',repo,path,line); bad+=1; continue
    if len(sys.argv)>1: print(f'{repo.split("/")[1][:18]:18} {path[-38:]:38} {line:>4} {site:9} | {lines[n-1].strip()[:90]}')
print('rows',len(rows)-1,'bad',bad)
