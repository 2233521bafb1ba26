"""Build a tiny, randomly initialised Coqui VITS model with Coqui's own API.

The model speaks noise, but it is a real VITS checkpoint and config, saved the way Coqui's
trainer saves them, so loading and inference run exactly the code path a user's
downloaded or trained model takes.
"""

from __future__ import annotations

from pathlib import Path


def build_tiny_vits(dest: Path, *, speakers: list[str] | None = None, seed: int = 0) -> tuple[Path, Path]:
    import torch
    from trainer.io import save_model
    from TTS.tts.configs.shared_configs import BaseAudioConfig, CharactersConfig
    from TTS.tts.configs.vits_config import VitsConfig
    from TTS.tts.models.vits import Vits, VitsArgs

    dest.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(seed)
    args = VitsArgs(
        hidden_channels=16,
        hidden_channels_ffn_text_encoder=32,
        num_heads_text_encoder=2,
        num_layers_text_encoder=1,
        num_layers_posterior_encoder=1,
        num_layers_flow=1,
        kernel_size_flow=3,
        resblock_kernel_sizes_decoder=[3],
        resblock_dilation_sizes_decoder=[[1, 3, 5]],
        upsample_rates_decoder=[8, 8, 4],  # product equals hop_length
        upsample_kernel_sizes_decoder=[16, 16, 8],
        upsample_initial_channel_decoder=32,
        periods_multi_period_discriminator=[2],
        use_sdp=False,
        init_discriminator=False,
        use_speaker_embedding=bool(speakers),
        speaker_embedding_channels=16,
    )
    config = VitsConfig(
        model_args=args,
        audio=BaseAudioConfig(sample_rate=22050, hop_length=256, win_length=1024, fft_size=1024, num_mels=80),
        use_phonemes=False,
        phonemizer=None,
        text_cleaner="english_cleaners",
        characters=CharactersConfig(
            characters_class="TTS.tts.models.vits.VitsCharacters",
            pad="<PAD>",
            eos="<EOS>",
            bos="<BOS>",
            blank="<BLNK>",
            characters="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
            punctuations="!'(),-.:;? ",
            phonemes=None,
            is_unique=True,
            is_sorted=True,
        ),
        add_blank=True,
        speakers=list(speakers or []),
        languages=["en"],
        datasets=[],
        test_sentences=[],
    )
    # Trimming silence would judge random-weight output silent and cut it short.
    config.audio.do_trim_silence = False
    model = Vits(config)
    model.eval()
    model_path = dest / "model.pth"
    save_model(model.config, model, str(model_path), current_step=0, epoch=0)
    config_path = dest / "config.json"
    model.config.save_json(str(config_path))
    return model_path, config_path
