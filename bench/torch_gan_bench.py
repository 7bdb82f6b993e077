# Copied from the project brief's reference (shared/gpu/torch_gan_bench.py) so bench:gpu can run it beside ours.
# Reference workload for the mini-GAN speed comparison, in PyTorch: run on the GPU machine as
#   python3 torch_gan_bench.py cuda 200 512
# It prints one JSON line with ms_per_step. Same model, data and optimiser as tfjs_gan_bench.mjs.
import sys, time, math, json, torch
dev = sys.argv[1] if len(sys.argv) > 1 else 'cuda'; STEPS = int(sys.argv[2]) if len(sys.argv) > 2 else 300; B = int(sys.argv[3]) if len(sys.argv) > 3 else 512
torch.manual_seed(0)
mk = lambda i: torch.nn.Sequential(torch.nn.Linear(i, 256), torch.nn.ReLU(), torch.nn.Linear(256, 256), torch.nn.ReLU(), torch.nn.Linear(256, 2 if i == 16 else 1)).to(dev)
G, D = mk(16), mk(2)
oG = torch.optim.Adam(G.parameters(), 1e-3, betas=(0.5, 0.999)); oD = torch.optim.Adam(D.parameters(), 1e-3, betas=(0.5, 0.999))
sp = torch.nn.functional.softplus
def real():
    k = torch.randint(0, 8, (B,), device=dev).float() * 2 * math.pi / 8
    return torch.stack([k.cos(), k.sin()], 1) * 2 + 0.02 * torch.randn(B, 2, device=dev)
def step():
    x = real(); z = torch.randn(B, 16, device=dev)
    lD = sp(-D(x)).mean() + sp(D(G(z).detach())).mean(); oD.zero_grad(); lD.backward(); oD.step()
    lG = sp(-D(G(torch.randn(B, 16, device=dev)))).mean(); oG.zero_grad(); lG.backward(); oG.step()
for _ in range(10): step()
if dev == 'cuda': torch.cuda.synchronize()
t0 = time.perf_counter()
for _ in range(STEPS): step()
if dev == 'cuda': torch.cuda.synchronize()
ms = (time.perf_counter() - t0) / STEPS * 1000
print(json.dumps({'lib': 'torch', 'backend': dev, 'ms_per_step': round(ms, 3), 'batch': B, 'steps': STEPS, 'threads': torch.get_num_threads()}))
