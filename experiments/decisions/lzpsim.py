"""Simulates an LZP flag before each byte: "the byte is the one that followed the last
occurrence of the last K bytes". The flag gets a small model of its own: two adaptive
counters (run length x predicted byte; the same with the previous byte) mixed by a
logistic mixer chosen by run length. The byte costs come from `bytecost`.

usage: python3 lzpsim.py FILE FILE.cost K
"""
import sys, array, math
data=open(sys.argv[1],'rb').read()
cost=array.array('f'); cost.frombytes(open(sys.argv[2],'rb').read())
MIN=int(sys.argv[3]) if len(sys.argv)>3 else 6
n=len(data)
def st(p): return math.log(p/(1-p))
def sq(x): return 1/(1+math.exp(-x))
def clip(p): return min(max(p,1/4096),1-1/4096)
t1=[0.5]*(16*256); n1=[0]*(16*256)
t2=[0.5]*(1<<16); n2=[0]*(1<<16)
w=[[0.3,0.3,0.0] for _ in range(16)]
tab={}; ptr=None; r=0
flagbits=0.0; cm_on_hit=0.0; cm_rest=0.0; hits=0; preds=0
LIM=255; lr=0.02
for i in range(n):
    c=data[i]
    if ptr is not None:
        pb=data[ptr]; rb=min(r,15)
        c1=data[i-1]
        k1=rb*256+pb; k2=(rb*0x9E3779B1 ^ c1*0x85EBCA6B ^ pb*0xC2B2AE35)&0xFFFF
        p1=clip(t1[k1]); p2=clip(t2[k2])
        x=[st(p1),st(p2),0.3]
        ww=w[rb]
        p=clip(sq(sum(a*b for a,b in zip(ww,x))))
        y=1 if pb==c else 0
        flagbits-= math.log2(p if y else 1-p)
        err=y-p
        for j in range(3): ww[j]+=lr*err*x[j]
        n1[k1]=min(n1[k1]+1,LIM); t1[k1]+=(y-t1[k1])/(n1[k1]+0.5)
        n2[k2]=min(n2[k2]+1,LIM); t2[k2]+=(y-t2[k2])/(n2[k2]+0.5)
        preds+=1
        if y:
            hits+=1; cm_on_hit+=cost[i]; r+=1; ptr+=1
        else:
            cm_rest+=cost[i]; ptr=None; r=0
    else:
        cm_rest+=cost[i]
    if i+1>=MIN:
        h=data[i+1-MIN:i+1]
        if ptr is None and h in tab:
            ptr=tab[h]; r=0
        tab[h]=i+1
base=sum(cost)
print(f"{sys.argv[1].split('/')[-1]} min{MIN}: bytes {n} predicted {preds} hits {hits} ({hits/n:.1%}); CM now {base/8:.0f} B; "
      f"CM on hits {cm_on_hit/8:.0f} B vs flag {flagbits/8:.0f} B; scheme {(flagbits+cm_rest)/8:.0f} B ({(flagbits+cm_rest)/base-1:+.2%}); "
      f"decisions/byte {(preds + 8*(n-hits))/n:.2f}")
