#!/usr/bin/env python3
"""BPTT reference in PyTorch for bench/bptt.ts: the same network, surrogate, plasticity and Adam
step as the tfjs benchmark (training/bptt/graph-snn.ts with the bench config), timed per iteration.

Network (batch B, T steps, 32 inputs, H = 128 hidden LIF, 8 outputs):
  I_h = u_t W_in + b_h;  U_h = beta U_h + I_h - sg(S_h) theta;  S_h = spike(U_h - theta)
  I_o = b_o + S_h (W_out + alpha * Hebb);  V = beta_o V + I_o;  a = tanh(V)
  x = l_pre x + S_h;  y = l_post y + a;  Hebb = clip(Hebb + eta * x_i y_j, +-c)
  loss = mean((a - target)^2);  Adam step.
spike: Heaviside forward, fast-sigmoid surrogate 1/(1+k|U'|)^2 (k = 25) backward.
Prints one JSON object.
"""
import json, sys, time
import torch

def main():
    quick = '--quick' in sys.argv
    B, T, NI, H, NO = 32, 100, 32, 128, 8
    k, beta, beta_o, theta, lpre, lpost, clip = 25.0, 0.8, 0.5, 1.0, 0.5, 0.5, 1.0
    torch.manual_seed(0)
    threads = int(sys.argv[sys.argv.index('--threads') + 1]) if '--threads' in sys.argv else torch.get_num_threads()
    torch.set_num_threads(threads)

    class Spike(torch.autograd.Function):
        @staticmethod
        def forward(ctx, u):
            ctx.save_for_backward(u)
            return (u > 0).float()
        @staticmethod
        def backward(ctx, g):
            (u,) = ctx.saved_tensors
            return g / (1 + k * u.abs()) ** 2

    w_in = (torch.randn(NI, H) * 1.5 / NI ** 0.5).requires_grad_()
    b_h = (torch.randn(H) * 0.2).requires_grad_()
    w_out = (torch.randn(H, NO) * 0.5 / H ** 0.5).requires_grad_()
    b_o = torch.zeros(NO).requires_grad_()
    alpha = (torch.randn(H, NO) * 0.5 / H ** 0.5).requires_grad_()
    eta_raw = torch.full((1,), -2.2).requires_grad_()
    params = [w_in, b_h, w_out, b_o, alpha, eta_raw]
    opt = torch.optim.Adam(params, lr=0.01)
    u = torch.randn(T, B, NI)
    target = torch.randn(T, B, NO).clamp(-1, 1)

    def iteration():
        opt.zero_grad()
        eta = torch.sigmoid(eta_raw)
        drive = (u.reshape(T * B, NI) @ w_in + b_h).reshape(T, B, H)
        U = torch.zeros(B, H); S = torch.zeros(B, H); V = torch.zeros(B, NO)
        hebb = torch.zeros(B, H, NO); x = torch.zeros(B, H); y = torch.zeros(B, NO)
        outs = []
        for t in range(T):
            U = beta * U + drive[t] - S.detach() * theta
            S = Spike.apply(U - theta)
            w_eff = w_out + alpha * hebb
            V = beta_o * V + b_o + torch.bmm(S.unsqueeze(1), w_eff).squeeze(1)
            a = torch.tanh(V)
            outs.append(a)
            x = lpre * x + S
            y = lpost * y + a
            hebb = torch.clamp(hebb + eta * x.unsqueeze(2) * y.unsqueeze(1), -clip, clip)
        loss = ((torch.stack(outs) - target) ** 2).mean()
        loss.backward()
        opt.step()
        return loss.item()

    for _ in range(2):
        iteration()
    n = 3 if quick else 10
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        iteration()
        times.append(time.perf_counter() - t0)
    times.sort()
    print(json.dumps({'torch': torch.__version__, 'threads': threads, 'secondsPerIteration': times[len(times) // 2], 'iterations': n,
                      'sizes': {'batch': B, 'steps': T, 'inputs': NI, 'hidden': H, 'outputs': NO}}))

main()
