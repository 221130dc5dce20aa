"""gradtable's application: the main jobs that train a network from the notes end to end.

    python -m gradtable                      # the LeNet-style CNN on the real 8x8 digits
    python -m gradtable --model charlm       # a character-level transformer language model
    mpirun -n 2 python -m gradtable --distributed

This package stands above the three libraries and may import all of them: ``autograd``
(the engine), ``nn`` (layers, losses, data, ``nn.train.fit``, ``nn.plots``) and ``optim``
(the optimizers), which themselves never import each other (``nn`` and ``optim`` stand
side by side on ``autograd``). ``python -m nn`` still runs the same job.
"""
