def draw_grad_table(*a, **k): raise NotImplementedError
backward_steps = animate_backward = save_backward_gif = save_backward_pngs = draw_grad_table
